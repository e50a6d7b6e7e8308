// errors, timing, print (println, str, format_float, set_print_sink), trace.
#include "helpers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <string>
#include <vector>

using namespace threadlab;

// [SECTION] errors -----------------------------------------------------------------------------

TEST_CASE("Exceptions carry Python's type names") {
    CHECK(std::string(Exception("m").type_name()) == "Exception");
    CHECK(std::string(RuntimeError("m").type_name()) == "RuntimeError");
    CHECK(std::string(ValueError("m").type_name()) == "ValueError");
    CHECK(std::string(TimeoutError("m").type_name()) == "TimeoutError");
    CHECK(std::string(CancelledError().type_name()) == "CancelledError");
    CHECK(std::string(InvalidStateError("m").type_name()) == "InvalidStateError");
    CHECK(std::string(BrokenBarrierError().type_name()) == "BrokenBarrierError");
    CHECK(std::string(BrokenExecutor("m").type_name()) == "BrokenExecutor");
    CHECK(std::string(BrokenThreadPool("m").type_name()) == "BrokenThreadPool");
    CHECK(std::string(ValueError("the message").what()) == "the message");
    CHECK(std::string(CancelledError().what()).empty());
}

TEST_CASE("Exceptions follow Python's class hierarchy") {
    CHECK_THROWS_AS(throw BrokenBarrierError(), RuntimeError);
    CHECK_THROWS_AS(throw BrokenThreadPool("x"), BrokenExecutor);
    CHECK_THROWS_AS(throw BrokenExecutor("x"), RuntimeError);
    CHECK_THROWS_AS(throw ValueError("x"), Exception);
    CHECK_THROWS_AS(throw TimeoutError(), std::exception);
    const Exception& base = BrokenThreadPool("x");
    CHECK(std::string(base.type_name()) == "BrokenThreadPool"); // virtual: the most derived name
}

TEST_CASE("concurrent.futures.Error is the base of CancelledError and InvalidStateError") {
    CHECK_THROWS_AS(throw CancelledError(), Error);
    CHECK_THROWS_AS(throw InvalidStateError("x"), Error);
    CHECK_THROWS_AS(throw Error("x"), Exception);
    CHECK(std::string(Error("x").type_name()) == "Error");
    CHECK(describe_exception(std::make_exception_ptr(Error("boom"))) == "Error: boom");
}

TEST_CASE("ThreadError is RuntimeError, and SystemExit is a BaseException but not an Exception") {
    CHECK(std::is_same_v<ThreadError, RuntimeError>);
    CHECK_THROWS_AS(throw RuntimeError("x"), ThreadError);
    CHECK(std::is_base_of_v<BaseException, SystemExit>);
    CHECK_FALSE(std::is_base_of_v<Exception, SystemExit>); // `except Exception` does not catch it
    CHECK(std::is_base_of_v<BaseException, Exception>);
    CHECK(describe_exception(std::make_exception_ptr(SystemExit())) == "SystemExit");
    CHECK(raised([] { exit_thread(); }) == "SystemExit");
    CHECK(describe_exception(std::make_exception_ptr(OverflowError("big"))) == "OverflowError: big");
    CHECK(describe_exception(std::make_exception_ptr(AssertionError("a"))) == "AssertionError: a");
}

TEST_CASE("describe_exception and exception_type_name print like Python's last traceback line") {
    CHECK(describe_exception(std::make_exception_ptr(ValueError("bad"))) == "ValueError: bad");
    CHECK(describe_exception(std::make_exception_ptr(TimeoutError())) == "TimeoutError");
    CHECK(describe_exception(std::make_exception_ptr(std::runtime_error("r"))) == "std::runtime_error: r");
    CHECK(describe_exception(std::make_exception_ptr(42)) == "unknown exception");
    CHECK(describe_exception(std::make_exception_ptr(std::string("s"))) == "std::string: s");
    CHECK(describe_exception(nullptr) == "NoneType");
    CHECK(exception_type_name(std::make_exception_ptr(InvalidStateError("x"))) == "InvalidStateError");
    CHECK(exception_type_name(std::make_exception_ptr(std::out_of_range("x"))) == "std::out_of_range");
    CHECK(exception_type_name(nullptr) == "NoneType");
}

// [SECTION] timing -----------------------------------------------------------------------------

TEST_CASE("TIMEOUT_MAX is threading.TIMEOUT_MAX and Timeout None waits forever") {
    CHECK(TIMEOUT_MAX == doctest::Approx(9223372036.0));
    Timeout none = std::nullopt;
    CHECK_FALSE(detail::deadline_after(none).has_value());
    CHECK_FALSE(detail::deadline_after(TIMEOUT_MAX).has_value()); // beyond the clock: forever
    CHECK_FALSE(detail::remaining(std::nullopt).has_value());
    auto soon = detail::deadline_after(0.5);
    REQUIRE(soon.has_value());
    double left = *detail::remaining(soon);
    CHECK(left > 0.0);
    CHECK(left <= 0.5);
    auto past = detail::deadline_after(-3); // negative counts as zero
    REQUIRE(past.has_value());
    CHECK(*detail::remaining(past) == 0.0);
}

TEST_CASE("Every call that takes a timeout raises ValueError for NaN and OverflowError beyond TIMEOUT_MAX") {
    // One check for all (detail::check_seconds). CPython raises these from Lock.acquire,
    // Event.wait, join and Future.result; its Condition.wait(NaN) returns False at once and its
    // Semaphore.acquire(timeout=NaN) spins forever - Threadlab raises instead.
    const std::string nan_error = "ValueError: Invalid value NaN (not a number)";
    const std::string big_error = "OverflowError: timeout value is too large";
    const double nan = std::nan("");
    const double inf = std::numeric_limits<double>::infinity();
    for (double bad : {nan, inf, 1e10, 1e300}) {
        const std::string& expected = std::isnan(bad) ? nan_error : big_error;
        CAPTURE(bad);
        Lock lock;
        RLock rlock;
        Condition condition;
        Semaphore semaphore(0);
        Event event;
        Barrier barrier(2);
        Future<int> future;
        Thread thread{[] {}};
        thread.start();
        ThreadPoolExecutor executor(1);
        std::vector<int> items{1};
        CHECK(raised([&] { lock.acquire(true, bad); }) == expected);
        CHECK(raised([&] { rlock.acquire(true, bad); }) == expected);
        CHECK(raised([&] {
                  std::lock_guard hold(condition);
                  condition.wait(bad);
              }) == expected);
        CHECK(raised([&] {
                  std::lock_guard hold(condition);
                  condition.wait_for([] { return false; }, bad);
              }) == expected);
        CHECK(raised([&] { semaphore.acquire(true, bad); }) == expected);
        CHECK(raised([&] { event.wait(bad); }) == expected);
        CHECK(raised([&] { barrier.wait(bad); }) == expected);
        CHECK(raised([&] { Barrier(2, nullptr, bad).wait(); }) == expected);
        CHECK(raised([&] { thread.join(bad); }) == expected);
        CHECK(raised([&] { future.result(bad); }) == expected);
        CHECK(raised([&] { future.exception(bad); }) == expected);
        CHECK(raised([&] { wait(std::vector<Future<int>>{future}, bad); }) == expected);
        CHECK(raised([&] {
                  for (auto f : as_completed(std::vector<Future<int>>{future}, bad)) (void)f;
              }) == expected);
        CHECK(raised([&] { executor.map([](int i) { return i; }, items, bad); }) == expected);
        CHECK_FALSE(lock.locked());
        CHECK_FALSE(barrier.broken()); // refused before it waited
        thread.join();
    }
    // The largest accepted timeout still works (and waits "forever" when it must).
    Event set;
    set.set();
    CHECK(set.wait(TIMEOUT_MAX));
}

TEST_CASE("sleep of NaN raises ValueError and beyond TIMEOUT_MAX OverflowError, at once") {
    Stopwatch watch;
    CHECK(raised([] { sleep(std::nan("")); }) == "ValueError: Invalid value NaN (not a number)");
    CHECK(raised([] { sleep(1e300); }) == "OverflowError: sleep length is too large");
    CHECK(raised([] { sleep(1e19); }) == "OverflowError: sleep length is too large");
    CHECK(raised([] { sleep(std::numeric_limits<double>::infinity()); }) == "OverflowError: sleep length is too large");
    CHECK(watch.elapsed() < 1.0);
}

// [SECTION] print ------------------------------------------------------------------------------

TEST_CASE("format_float prints floats like Python's repr") {
    CHECK(format_float(1.0) == "1.0");
    CHECK(format_float(0.1) == "0.1");
    CHECK(format_float(100.0) == "100.0");
    CHECK(format_float(1e16) == "1e+16");
    CHECK(format_float(1e15) == "1000000000000000.0");
    CHECK(format_float(0.1 + 0.2) == "0.30000000000000004");
    CHECK(format_float(2.5) == "2.5");
    CHECK(format_float(-0.0) == "-0.0");
    CHECK(format_float(0.0) == "0.0");
    CHECK(format_float(1e-05) == "1e-05");
    CHECK(format_float(0.0001) == "0.0001");
    CHECK(format_float(1.5e300) == "1.5e+300");
    CHECK(format_float(123456789012345678.0) == "1.2345678901234568e+17");
    CHECK(format_float(1.0 / 3.0) == "0.3333333333333333");
    CHECK(format_float(std::numeric_limits<double>::infinity()) == "inf");
    CHECK(format_float(-std::numeric_limits<double>::infinity()) == "-inf");
    CHECK(format_float(std::nan("")) == "nan");
}

TEST_CASE("str prints values like Python's print") {
    CHECK(str(true) == "True");
    CHECK(str(false) == "False");
    CHECK(str(1.0) == "1.0");
    CHECK(str(0.5f) == "0.5");
    CHECK(str(42) == "42");
    CHECK(str(-7L) == "-7");
    CHECK(str('c') == "c");
    CHECK(str("Sleeping ", 1, " Second(s)...") == "Sleeping 1 Second(s)...");
    CHECK(str(std::string("a"), std::string_view("b"), "c") == "abc");
    CHECK(str(None) == "None");
    CHECK(str() == "");
    CHECK(str("Finished in ", 1.0, " second(s)") == "Finished in 1.0 second(s)");
}

TEST_CASE("set_print_sink captures println lines") {
    std::mutex mutex;
    std::vector<std::string> lines;
    set_print_sink([&](std::string_view line) {
        std::lock_guard lock(mutex);
        lines.emplace_back(line);
    });
    println("Sleeping ", 1.5, " second(s)... ", true);
    println();
    set_print_sink(nullptr);
    CHECK(lines == std::vector<std::string>{"Sleeping 1.5 second(s)... True", ""});
}

TEST_CASE("println lines from many threads never mix") {
    std::mutex mutex;
    std::vector<std::string> lines;
    set_print_sink([&](std::string_view line) {
        std::lock_guard lock(mutex);
        lines.emplace_back(line);
    });
    std::vector<Thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([i] {
            for (int k = 0; k < 50; ++k) println("thread ", i, " line ", k, " done");
        });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    set_print_sink(nullptr);
    CHECK(lines.size() == 200);
    for (auto& line : lines) CHECK(matches(line, "thread [0-3] line [0-9]+ done"));
}

TEST_CASE("println writes to standard output when no sink is set") {
    set_print_sink(nullptr);
    CaptureFd out(1);
    println("to stdout ", 2.0);
    std::string text = out.text();
    if (CaptureFd::available) CHECK(text == "to stdout 2.0\n");
}

// [SECTION] trace ------------------------------------------------------------------------------

namespace {
// Events from `from` on about one thread / one task.
std::vector<trace::Event> events_since(std::uint64_t from) {
    std::vector<trace::Event> out;
    trace::read(from, out);
    return out;
}
std::vector<trace::Kind> kinds_of_thread(const std::vector<trace::Event>& events, std::uint32_t serial) {
    std::vector<trace::Kind> out;
    for (auto& e : events)
        if (e.thread == serial && e.task == 0) out.push_back(e.kind);
    return out;
}
std::vector<trace::Event> events_of_task(const std::vector<trace::Event>& events, std::uint64_t task) {
    std::vector<trace::Event> out;
    for (auto& e : events)
        if (e.task == task) out.push_back(e);
    return out;
}
// Recording is off by default; each trace test turns it on for its duration.
struct TraceOn {
    TraceOn() { trace::set_enabled(true); }
    ~TraceOn() { trace::set_enabled(false); }
};
std::uint64_t now_seq() {
    std::vector<trace::Event> ignored;
    return trace::read(std::numeric_limits<std::uint64_t>::max(), ignored);
}
} // namespace

TEST_CASE("trace is off by default") { CHECK_FALSE(trace::enabled()); }

TEST_CASE("trace records thread_created, thread_started and thread_finished") {
    TraceOn tracing;
    std::uint64_t from = now_seq();
    Thread t({.name = "traced"}, [] {});
    t.start();
    t.join();
    auto events = events_since(from);
    CHECK(kinds_of_thread(events, t.serial()) ==
          std::vector<trace::Kind>{trace::Kind::thread_created, trace::Kind::thread_started, trace::Kind::thread_finished});
    CHECK(trace::thread_name(t.serial()) == "traced");
    CHECK(trace::thread_name(main_thread().serial()) == "MainThread");
    CHECK(trace::thread_name(0xFFFFFFF0u).empty());
}

TEST_CASE("trace records thread_failed for a thread whose target raised") {
    TraceOn tracing;
    excepthook = [](const ExceptHookArgs&) {};
    std::uint64_t from = now_seq();
    Thread t{[] { throw ValueError("x"); }};
    t.start();
    t.join();
    excepthook = nullptr;
    CHECK(kinds_of_thread(events_since(from), t.serial()) ==
          std::vector<trace::Kind>{trace::Kind::thread_created, trace::Kind::thread_started, trace::Kind::thread_failed});
}

TEST_CASE("trace events have growing seq and time") {
    TraceOn tracing;
    std::uint64_t from = now_seq();
    for (int i = 0; i < 3; ++i) Thread{[] {}};
    auto events = events_since(from);
    REQUIRE(events.size() >= 3);
    CHECK(events.front().seq >= from);
    for (std::size_t i = 1; i < events.size(); ++i) {
        CHECK(events[i].seq == events[i - 1].seq + 1);
        CHECK(events[i].time >= events[i - 1].time);
    }
    CHECK(events.back().time <= perf_counter());
}

TEST_CASE("trace records task_submitted, task_started, task_done, task_failed and task_cancelled") {
    TraceOn tracing;
    std::uint64_t from = now_seq();
    ThreadPoolExecutor executor(1);
    auto ok = executor.submit([] { return 1; });
    ok.result(30);
    auto failing = executor.submit([]() -> int { throw ValueError("x"); });
    failing.exception(30);
    Event started, release;
    auto blocker = executor.submit([&] {
        started.set();
        release.wait(30);
    });
    started.wait(30);
    auto cancelled = executor.submit([] { return 3; });
    CHECK(cancelled.cancel());
    release.set();
    executor.shutdown();

    REQUIRE(executor.threads().size() == 1);
    std::uint32_t worker = executor.threads()[0].serial();
    std::uint32_t submitter = main_thread().serial();
    auto events = events_since(from);
    using K = trace::Kind;

    auto ok_events = events_of_task(events, ok.serial());
    REQUIRE(ok_events.size() == 3);
    CHECK(ok_events[0].kind == K::task_submitted);
    CHECK(ok_events[0].thread == submitter);
    CHECK(ok_events[1].kind == K::task_started);
    CHECK(ok_events[1].thread == worker);
    CHECK(ok_events[2].kind == K::task_done);
    CHECK(ok_events[2].thread == worker);
    CHECK(ok_events[0].seq < ok_events[1].seq);
    CHECK(ok_events[1].seq < ok_events[2].seq);

    auto failed_events = events_of_task(events, failing.serial());
    REQUIRE(failed_events.size() == 3);
    CHECK(failed_events[2].kind == K::task_failed);
    CHECK(failed_events[2].thread == worker);

    auto cancelled_events = events_of_task(events, cancelled.serial());
    REQUIRE(cancelled_events.size() == 2);
    CHECK(cancelled_events[0].kind == K::task_submitted);
    CHECK(cancelled_events[1].kind == K::task_cancelled);
    CHECK(cancelled_events[1].thread == 0);

    // The worker itself is a traced thread with its pool name.
    CHECK(trace::thread_name(worker) == executor.threads()[0].name());
    CHECK(kinds_of_thread(events, worker).front() == K::thread_created);
}

TEST_CASE("trace::read is incremental") {
    TraceOn tracing;
    std::uint64_t from = now_seq();
    Thread a{[] {}};
    std::vector<trace::Event> first;
    std::uint64_t next = trace::read(from, first);
    CHECK(next > from);
    CHECK(first.size() == next - from);
    Thread b{[] {}};
    std::vector<trace::Event> second;
    std::uint64_t after = trace::read(next, second);
    REQUIRE(!second.empty());
    CHECK(second.front().seq == next);
    CHECK(after == next + second.size());
    std::vector<trace::Event> nothing;
    CHECK(trace::read(after, nothing) == after); // nothing new
    CHECK(nothing.empty());
    CHECK(kinds_of_thread(second, b.serial()) == std::vector<trace::Kind>{trace::Kind::thread_created});
    CHECK(kinds_of_thread(second, a.serial()).empty());
}

TEST_CASE("trace::set_enabled(false) stops recording") {
    TraceOn tracing;
    trace::set_enabled(false);
    CHECK_FALSE(trace::enabled());
    std::uint64_t from = now_seq();
    Thread t{[] {}};
    t.start();
    t.join();
    trace::record(trace::Kind::task_done, 1, 1);
    std::uint64_t after = now_seq();
    trace::set_enabled(true);
    CHECK(trace::enabled());
    CHECK(after == from);
    Thread u{[] {}};
    CHECK(now_seq() > from);
}

TEST_CASE("trace::clear forgets events and seq keeps counting") {
    TraceOn tracing;
    std::uint64_t before = now_seq();
    trace::record(trace::Kind::thread_created, 12345);
    trace::clear();
    std::vector<trace::Event> out;
    std::uint64_t next = trace::read(0, out);
    CHECK(out.empty());
    CHECK(next == before + 1);
    trace::record(trace::Kind::thread_started, 12345);
    out.clear();
    trace::read(0, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].seq == before + 1);
    CHECK(out[0].thread == 12345);
}

TEST_CASE("trace::record, name_thread, kind_name and capacity") {
    TraceOn tracing;
    CHECK(trace::capacity() > 0);
    CHECK(std::string(trace::kind_name(trace::Kind::thread_created)) == "thread_created");
    CHECK(std::string(trace::kind_name(trace::Kind::thread_started)) == "thread_started");
    CHECK(std::string(trace::kind_name(trace::Kind::thread_finished)) == "thread_finished");
    CHECK(std::string(trace::kind_name(trace::Kind::thread_failed)) == "thread_failed");
    CHECK(std::string(trace::kind_name(trace::Kind::task_submitted)) == "task_submitted");
    CHECK(std::string(trace::kind_name(trace::Kind::task_started)) == "task_started");
    CHECK(std::string(trace::kind_name(trace::Kind::task_done)) == "task_done");
    CHECK(std::string(trace::kind_name(trace::Kind::task_failed)) == "task_failed");
    CHECK(std::string(trace::kind_name(trace::Kind::task_cancelled)) == "task_cancelled");
    trace::name_thread(0xFFFFFF00u, "custom");
    CHECK(trace::thread_name(0xFFFFFF00u) == "custom");
    std::uint64_t from = now_seq();
    trace::record(trace::Kind::task_started, 0xFFFFFF00u, 77);
    auto events = events_since(from);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == trace::Kind::task_started);
    CHECK(events[0].thread == 0xFFFFFF00u);
    CHECK(events[0].task == 77);
}

TEST_CASE("trace keeps the newest capacity() events and skips the dropped ones") {
    TraceOn tracing;
    std::uint64_t from = now_seq();
    std::size_t n = trace::capacity() + 10;
    for (std::size_t i = 0; i < n; ++i) trace::record(trace::Kind::task_done, 1, i);
    std::vector<trace::Event> out;
    std::uint64_t next = trace::read(from, out);
    CHECK(next == from + n);
    REQUIRE(out.size() == trace::capacity());
    CHECK(out.front().seq == from + 10); // the first 10 were dropped
    CHECK(out.back().seq == next - 1);
    trace::clear();
}

TEST_CASE("trace keeps the names of the newest 65,536 threads only") {
    const std::uint32_t first = 0xF0000000u;
    for (std::uint32_t i = 0; i < 70000; ++i) trace::name_thread(first + i, "t" + std::to_string(i));
    CHECK(trace::thread_name(first).empty());
    CHECK(trace::thread_name(first + 70000 - 65536 - 1).empty());
    CHECK(trace::thread_name(first + 70000 - 65536) == "t" + std::to_string(70000 - 65536));
    CHECK(trace::thread_name(first + 69999) == "t69999");
    main_thread().set_name("MainThread"); // named again, for tests that run after this one
}
