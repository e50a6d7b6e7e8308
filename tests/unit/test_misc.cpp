// errors, timing, print (println, str, format_float, set_print_sink). The event stream: test_events.cpp.
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

TEST_CASE("shared<T>: load, store and += as Python's global, and exact under a Lock") {
    tl::shared<long> value{5};
    CHECK(value.load() == 5);
    value = 7;
    value += 3;
    value -= 1;
    CHECK(static_cast<long>(value) == 9);
    tl::shared<long> counter;
    tl::Lock lock;
    std::vector<tl::Thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.push_back(testing::started([&] {
            for (int i = 0; i < 10000; ++i) {
                std::lock_guard with_lock(lock);
                counter += 1;
            }
        }));
    for (auto& thread : threads) thread.join();
    CHECK(counter.load() == 40000);
}
