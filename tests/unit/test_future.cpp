// Future<R>, as_completed, wait.
#include "helpers.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

using namespace threadlab;

namespace {
// Completes `f` with `value` from another thread once `go` is set; join() the returned Thread.
Thread complete_later(Future<int> f, int value, Event& go) {
    Thread t{[f, value, &go]() mutable {
        go.wait();
        f.set_result(value);
    }};
    t.start();
    return t;
}

std::vector<std::uint64_t> serials(const std::vector<Future<int>>& fs) {
    std::vector<std::uint64_t> out;
    for (auto& f : fs) out.push_back(f.serial());
    return out;
}
} // namespace

// [SECTION] Future: result, exception, states ----------------------------------------------------

TEST_CASE("Future.set_result makes it done and result returns the value") {
    Future<int> f;
    CHECK_FALSE(f.done());
    CHECK_FALSE(f.running());
    CHECK_FALSE(f.cancelled());
    f.set_result(42);
    CHECK(f.done());
    CHECK_FALSE(f.running());
    CHECK(f.result() == 42);
    CHECK(f.result(0) == 42);
    CHECK(f.exception() == nullptr);
}

TEST_CASE("Future.set_result twice raises InvalidStateError") {
    Future<int> f;
    f.set_result(1);
    std::string error = raised([&] { f.set_result(2); });
    CHECK(error.rfind("InvalidStateError: FINISHED: <Future at 0x", 0) == 0);
    CHECK(matches(error, "InvalidStateError: FINISHED: <Future at 0x[0-9a-f]+ state=finished returned int>"));
    CHECK_THROWS_AS(f.set_exception(ValueError("late")), InvalidStateError);
    CHECK(f.result() == 1); // the first result stays
}

TEST_CASE("Future.set_exception twice raises InvalidStateError") {
    Future<std::string> f;
    f.set_exception(ValueError("first"));
    CHECK(matches(raised([&] { f.set_exception(ValueError("second")); }),
                  "InvalidStateError: FINISHED: <Future at 0x[0-9a-f]+ state=finished raised ValueError>"));
    CHECK(raised([&] { f.set_result("x"); }).rfind("InvalidStateError: FINISHED: <Future at 0x", 0) == 0);
    CHECK(raised([&] { f.result(); }) == "ValueError: first");
}

TEST_CASE("Future.set_result on a cancelled future raises InvalidStateError") {
    Future<int> f;
    CHECK(f.cancel());
    CHECK(matches(raised([&] { f.set_result(1); }), "InvalidStateError: CANCELLED: <Future at 0x[0-9a-f]+ state=cancelled>"));
}

TEST_CASE("Future.result rethrows the exception and exception() returns it") {
    Future<int> f;
    f.set_exception(ValueError("bad value"));
    CHECK(f.done());
    CHECK(raised([&] { f.result(); }) == "ValueError: bad value");
    CHECK_THROWS_AS(f.result(), ValueError);
    std::exception_ptr e = f.exception();
    REQUIRE(e != nullptr);
    CHECK(describe_exception(e) == "ValueError: bad value");
    CHECK(raised([&] { f.exception(); }) == "nothing raised"); // exception() does not raise it

    Future<int> cpp;
    cpp.set_exception(std::make_exception_ptr(std::out_of_range("at 7")));
    CHECK_THROWS_AS(cpp.result(), std::out_of_range);
    CHECK(describe_exception(cpp.exception()) == "std::out_of_range: at 7");
}

TEST_CASE("Future.result with a timeout raises TimeoutError") {
    Future<int> f;
    Stopwatch watch;
    CHECK(raised([&] { f.result(0.2); }) == "TimeoutError");
    CHECK_TOOK_ABOUT(watch, 0.2);
    Stopwatch zero;
    CHECK_THROWS_AS(f.result(0), TimeoutError);
    CHECK_THROWS_AS(f.result(-1), TimeoutError);
    CHECK(zero.elapsed() < 1.0);
    CHECK_FALSE(f.done());
}

TEST_CASE("Future.exception with a timeout raises TimeoutError") {
    Future<int> f;
    Stopwatch watch;
    CHECK(raised([&] { f.exception(0.2); }) == "TimeoutError");
    CHECK_TOOK_ABOUT(watch, 0.2);
}

TEST_CASE("Future.result waits for a result set by another thread") {
    Future<int> f;
    Event go;
    Thread t = complete_later(f, 9, go);
    go.set();
    CHECK(f.result(30) == 9);
    t.join();
}

TEST_CASE("Future.cancel of a pending future cancels it") {
    Future<int> f;
    CHECK(f.cancel());
    CHECK(f.cancelled());
    CHECK(f.done());
    CHECK_FALSE(f.running());
    CHECK(f.cancel()); // again: still cancelled
    CHECK(raised([&] { f.result(); }) == "CancelledError");
    CHECK(raised([&] { f.exception(); }) == "CancelledError");
    CHECK_THROWS_AS(f.result(0.1), CancelledError);
}

TEST_CASE("Future.cancel wakes a thread waiting for the result with CancelledError") {
    Future<int> f;
    std::string error;
    Event started;
    Thread t{[&] {
        started.set();
        error = raised([&] { f.result(30); });
    }};
    t.start();
    started.wait();
    f.cancel();
    t.join();
    CHECK(error == "CancelledError");
}

TEST_CASE("Future.cancel of a running or finished future returns false") {
    Future<int> running;
    CHECK(running.set_running_or_notify_cancel());
    CHECK(running.running());
    CHECK_FALSE(running.cancel());
    CHECK_FALSE(running.cancelled());
    running.set_result(1);
    CHECK_FALSE(running.cancel());
    CHECK(running.result() == 1);
}

TEST_CASE("Future.set_running_or_notify_cancel on a running future raises RuntimeError") {
    Future<int> f;
    CHECK(f.set_running_or_notify_cancel());
    CHECK(f.running());
    CHECK_FALSE(f.done());
    CHECK(raised([&] { f.set_running_or_notify_cancel(); }) == "RuntimeError: Future in unexpected state");
    f.set_result(3);
    CHECK(raised([&] { f.set_running_or_notify_cancel(); }) == "RuntimeError: Future in unexpected state");
}

TEST_CASE("Future.set_running_or_notify_cancel on a cancelled future returns false") {
    Future<int> f;
    f.cancel();
    CHECK_FALSE(f.set_running_or_notify_cancel());
    CHECK(f.cancelled());
}

TEST_CASE("Future<void> result returns once set") {
    Future<void> f;
    CHECK_THROWS_AS(f.result(0), TimeoutError);
    f.set_result();
    CHECK(f.done());
    CHECK_NOTHROW(f.result());
    CHECK(f.exception() == nullptr);
    CHECK(matches(f.repr(), "<Future at 0x[0-9a-f]+ state=finished returned NoneType>"));
    Future<void> failed;
    failed.set_exception(RuntimeError("no"));
    CHECK(raised([&] { failed.result(); }) == "RuntimeError: no");
}

TEST_CASE("Future with a move-only result returns a reference to it") {
    Future<std::unique_ptr<int>> f;
    f.set_result(std::make_unique<int>(5));
    const std::unique_ptr<int>& r = f.result();
    CHECK(*r == 5);
}

TEST_CASE("Future.repr shows the state like Python") {
    Future<int> f;
    CHECK(matches(f.repr(), "<Future at 0x[0-9a-f]+ state=pending>"));
    f.set_running_or_notify_cancel();
    CHECK(matches(f.repr(), "<Future at 0x[0-9a-f]+ state=running>"));
    f.set_result(1);
    CHECK(matches(f.repr(), "<Future at 0x[0-9a-f]+ state=finished returned int>"));
    Future<double> d;
    d.set_result(1.5);
    CHECK(matches(d.repr(), "<Future at 0x[0-9a-f]+ state=finished returned float>"));
    Future<std::string> s;
    s.set_exception(ValueError("x"));
    CHECK(matches(s.repr(), "<Future at 0x[0-9a-f]+ state=finished raised ValueError>"));
    Future<bool> c;
    c.cancel();
    CHECK(matches(c.repr(), "<Future at 0x[0-9a-f]+ state=cancelled>"));
}

TEST_CASE("Future copies share one state") {
    Future<int> f;
    Future<int> copy = f;
    CHECK(copy == f);
    CHECK(copy.serial() == f.serial());
    CHECK_FALSE(Future<int>() == f);
    CHECK(Future<int>().serial() != f.serial());
    copy.set_result(8);
    CHECK(f.result() == 8);
}

// [SECTION] Future: done callbacks ---------------------------------------------------------------

TEST_CASE("Future.add_done_callback runs callbacks in registration order") {
    Future<int> f;
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) f.add_done_callback([&order, i](Future<int> done) {
        CHECK(done.done());
        order.push_back(i);
    });
    CHECK(order.empty());
    f.set_result(1);
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("Future.add_done_callback runs at once in the caller's thread when already done") {
    Future<int> f;
    f.set_result(5);
    unsigned long ran_in = 0;
    int value = 0;
    f.add_done_callback([&](Future<int> done) {
        ran_in = get_ident();
        value = done.result();
    });
    CHECK(ran_in == get_ident()); // ran before add_done_callback returned
    CHECK(value == 5);
}

TEST_CASE("Future.add_done_callback runs in the thread that completes the future") {
    Future<int> f;
    std::atomic<unsigned long> ran_in{0};
    f.add_done_callback([&](Future<int>) { ran_in = get_ident(); });
    unsigned long completer = 0;
    Thread t{[&] {
        completer = get_ident();
        f.set_result(1);
    }};
    t.start();
    t.join();
    CHECK(ran_in == completer);
    CHECK(ran_in != get_ident());
}

TEST_CASE("Future.add_done_callback exception is reported on stderr and the other callbacks still run") {
    Future<int> f;
    std::vector<int> ran;
    f.add_done_callback([&](Future<int>) { ran.push_back(1); });
    f.add_done_callback([&](Future<int>) -> void { throw ValueError("callback failed"); });
    f.add_done_callback([&](Future<int>) { ran.push_back(3); });
    CaptureFd err(2);
    CHECK_NOTHROW(f.set_result(1));
    // Already done: runs at once, and its exception is reported too, not raised.
    CHECK_NOTHROW(f.add_done_callback([](Future<int>) -> void { throw RuntimeError("late callback"); }));
    std::string text = err.text();
    CHECK(ran == std::vector<int>{1, 3});
    if (CaptureFd::available)
        CHECK(matches(text, "exception calling callback for <Future at 0x[0-9a-f]+ state=finished returned int>\n"
                        "ValueError: callback failed\n"
                        "exception calling callback for <Future at 0x[0-9a-f]+ state=finished returned int>\n"
                        "RuntimeError: late callback\n"));
    CHECK(f.result() == 1);
}

TEST_CASE("Future.add_done_callback runs when the future is cancelled or fails") {
    Future<int> cancelled, failed;
    bool saw_cancel = false;
    std::string saw_error;
    cancelled.add_done_callback([&](Future<int> f) { saw_cancel = f.cancelled(); });
    failed.add_done_callback([&](Future<int> f) { saw_error = describe_exception(f.exception()); });
    cancelled.cancel();
    failed.set_exception(ValueError("v"));
    CHECK(saw_cancel);
    CHECK(saw_error == "ValueError: v");
}

// [SECTION] as_completed -------------------------------------------------------------------------

TEST_CASE("as_completed yields finished futures first, then each as it completes") {
    Future<int> a, b, c;
    b.set_result(2);
    Event go_a, go_c;
    Thread ta = complete_later(a, 1, go_a), tc = complete_later(c, 3, go_c);
    std::vector<int> results;
    for (const Future<int>& f : as_completed(std::vector<Future<int>>{a, b, c}, 30)) {
        results.push_back(f.result());
        if (results.size() == 1) go_c.set(); // c completes before a
        if (results.size() == 2) go_a.set();
    }
    ta.join();
    tc.join();
    CHECK(results == std::vector<int>{2, 3, 1});
}

TEST_CASE("as_completed yields each future exactly once, even when given duplicates") {
    Future<int> a, b, c;
    a.set_result(1);
    std::vector<Future<int>> input{a, b, a, c, b, a};
    Event go;
    Thread tb = complete_later(b, 2, go), tc = complete_later(c, 3, go);
    go.set();
    std::vector<std::uint64_t> yielded;
    for (auto& f : as_completed(input)) yielded.push_back(f.serial());
    tb.join();
    tc.join();
    CHECK(yielded.size() == 3);
    CHECK(std::set<std::uint64_t>(yielded.begin(), yielded.end()) ==
          std::set<std::uint64_t>{a.serial(), b.serial(), c.serial()});
    CHECK(yielded.front() == a.serial()); // already done: first
}

TEST_CASE("as_completed with a timeout raises TimeoutError N (of M) futures unfinished") {
    Future<int> a, b, c;
    a.set_result(1);
    std::vector<Future<int>> fs{a, b, c};
    int yielded = 0;
    Stopwatch watch;
    std::string error = raised([&] {
        for (auto& f : as_completed(fs, 0.2)) {
            CHECK(f == a);
            ++yielded;
        }
    });
    CHECK(error == "TimeoutError: 2 (of 3) futures unfinished");
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(yielded == 1);
}

TEST_CASE("as_completed with a timeout counts distinct futures in its message") {
    Future<int> a, b;
    std::vector<Future<int>> fs{a, b, a};
    CHECK(raised([&] {
              for (auto& f : as_completed(fs, 0.05)) (void)f;
          }) == "TimeoutError: 2 (of 2) futures unfinished");
}

TEST_CASE("as_completed with timeout 0 still yields the finished futures") {
    Future<int> a, b;
    a.set_result(1);
    b.set_result(2);
    int n = 0;
    for (auto& f : as_completed({a, b}, 0)) {
        CHECK(f.done());
        ++n;
    }
    CHECK(n == 2);
}

TEST_CASE("as_completed iterator used by hand: begin, *, ->, ++ and end") {
    Future<int> a, b;
    a.set_result(1);
    b.set_result(2);
    auto completed = as_completed(std::vector<Future<int>>{a, b});
    auto it = completed.begin();
    REQUIRE_FALSE(it == completed.end());
    CHECK(it->done());
    int first = (*it).result();
    ++it;
    REQUIRE_FALSE(it == completed.end());
    int second = it->result();
    it++;
    CHECK(it == completed.end());
    CHECK(std::set<int>{first, second} == std::set<int>{1, 2});
}

TEST_CASE("as_completed of an empty list yields nothing") {
    std::vector<Future<int>> none;
    int n = 0;
    for (auto& f : as_completed(none, 0.1)) {
        (void)f;
        ++n;
    }
    CHECK(n == 0);
}

TEST_CASE("as_completed yields cancelled and failed futures too") {
    Future<int> cancelled, failed;
    cancelled.cancel();
    failed.set_exception(ValueError("x"));
    std::set<std::uint64_t> seen;
    for (auto& f : as_completed({cancelled, failed})) seen.insert(f.serial());
    CHECK(seen == std::set<std::uint64_t>{cancelled.serial(), failed.serial()});
}

TEST_CASE("as_completed lets go of each future as it yields it, so dropped results are freed") {
    constexpr int n = 8;
    {
        std::vector<Future<BigResult>> futures(n);
        for (auto& f : futures) f.set_result(BigResult{});
        auto completed = as_completed(futures);
        futures.clear(); // as in Python, the caller keeps no list of its own
        CHECK(BigResult::alive == n);
        int yielded = 0;
        for (Future<BigResult> f : completed) {
            CHECK(f.result().bytes.size() == (4u << 20));
            ++yielded;
            CHECK(BigResult::alive <= n - yielded + 1); // the ones handed out before are gone
        }
        CHECK(yielded == n);
        CHECK(BigResult::alive == 0);
    }
    CHECK(BigResult::alive == 0);
}

TEST_CASE("as_completed over an initializer list of Future<void>") {
    Future<void> a, b;
    a.set_result();
    b.set_result();
    int n = 0;
    for (auto& f : as_completed({a, b})) {
        f.result();
        ++n;
    }
    CHECK(n == 2);
}

// [SECTION] wait ---------------------------------------------------------------------------------

TEST_CASE("wait ALL_COMPLETED returns when every future is done") {
    Future<int> a, b;
    Event go;
    Thread ta = complete_later(a, 1, go), tb = complete_later(b, 2, go);
    go.set();
    auto result = wait(std::vector<Future<int>>{a, b});
    ta.join();
    tb.join();
    CHECK(serials(result.done) == std::vector<std::uint64_t>{a.serial(), b.serial()});
    CHECK(result.not_done.empty());
}

TEST_CASE("wait with a timeout returns the unfinished futures in not_done") {
    Future<int> a, b, c;
    b.set_result(2);
    Stopwatch watch;
    auto result = wait(std::vector<Future<int>>{a, b, c}, 0.2);
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(serials(result.done) == std::vector<std::uint64_t>{b.serial()});
    CHECK(serials(result.not_done) == std::vector<std::uint64_t>{a.serial(), c.serial()});
}

TEST_CASE("wait FIRST_COMPLETED returns after one future completes") {
    Future<int> a, b;
    Event go;
    Thread tb = complete_later(b, 2, go);
    go.set();
    auto result = wait(std::vector<Future<int>>{a, b}, 30, FIRST_COMPLETED);
    tb.join();
    CHECK(serials(result.done) == std::vector<std::uint64_t>{b.serial()});
    CHECK(serials(result.not_done) == std::vector<std::uint64_t>{a.serial()});
}

TEST_CASE("wait FIRST_COMPLETED with a timeout and nothing done returns everything in not_done") {
    Future<int> a, b;
    Stopwatch watch;
    auto result = wait(std::vector<Future<int>>{a, b}, 0.2, FIRST_COMPLETED);
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(result.done.empty());
    CHECK(result.not_done.size() == 2);
}

TEST_CASE("wait FIRST_EXCEPTION returns at the first exception") {
    Future<int> slow, ok, failing;
    ok.set_result(1);
    Thread t{[failing]() mutable { failing.set_exception(ValueError("x")); }};
    t.start();
    auto result = wait(std::vector<Future<int>>{slow, ok, failing}, 30, FIRST_EXCEPTION);
    t.join();
    CHECK(serials(result.done) == std::vector<std::uint64_t>{ok.serial(), failing.serial()});
    CHECK(serials(result.not_done) == std::vector<std::uint64_t>{slow.serial()});
}

TEST_CASE("wait FIRST_EXCEPTION without an exception waits for all") {
    Future<int> a, b;
    a.set_result(1);
    Event go;
    Thread tb = complete_later(b, 2, go);
    go.set();
    auto result = wait(std::vector<Future<int>>{a, b}, 30, FIRST_EXCEPTION);
    tb.join();
    CHECK(result.done.size() == 2);
    CHECK(result.not_done.empty());
    Future<int> pending, cancelled;
    cancelled.cancel(); // a cancellation is not an exception
    Stopwatch watch;
    auto partial = wait(std::vector<Future<int>>{pending, cancelled}, 0.2, FIRST_EXCEPTION);
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(serials(partial.done) == std::vector<std::uint64_t>{cancelled.serial()});
}

TEST_CASE("wait counts duplicates once and returns at once when all are done") {
    Future<int> a, b;
    a.set_result(1);
    b.set_exception(ValueError("y"));
    Stopwatch watch;
    auto result = wait(std::vector<Future<int>>{a, b, a, b});
    CHECK(watch.elapsed() < 1.0);
    CHECK(serials(result.done) == std::vector<std::uint64_t>{a.serial(), b.serial()});
    CHECK(result.not_done.empty());
    auto empty = wait(std::vector<Future<int>>{}, 0.1);
    CHECK(empty.done.empty());
    CHECK(empty.not_done.empty());
}
