// ThreadPoolExecutor: submit, map, shutdown, workers, initializer.
#include "helpers.hpp"

#include <algorithm>
#include <ctime>
#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

using namespace threadlab;

namespace {
int square(int x) { return x * x; }

// Thread-safe record of the values a task saw.
struct Calls {
    std::mutex mutex;
    std::vector<int> values;
    void add(int v) {
        std::lock_guard lock(mutex);
        values.push_back(v);
    }
    std::vector<int> sorted() {
        std::lock_guard lock(mutex);
        auto out = values;
        std::sort(out.begin(), out.end());
        return out;
    }
};
} // namespace

// [SECTION] construction ----------------------------------------------------------------------

TEST_CASE("ThreadPoolExecutor max_workers <= 0 raises ValueError") {
    CHECK(raised([] { ThreadPoolExecutor e(0); }) == "ValueError: max_workers must be greater than 0");
    CHECK(raised([] { ThreadPoolExecutor e(-1); }) == "ValueError: max_workers must be greater than 0");
    CHECK(raised([] { ThreadPoolExecutor e({.max_workers = 0}); }) == "ValueError: max_workers must be greater than 0");
}

TEST_CASE("ThreadPoolExecutor default max_workers is min(32, cores + 4)") {
    ThreadPoolExecutor executor;
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    CHECK(executor.max_workers() == std::min(32, cores + 4));
    ThreadPoolExecutor three(3);
    CHECK(three.max_workers() == 3);
    CHECK(three.threads().empty()); // workers start only when work arrives
}

// [SECTION] submit ------------------------------------------------------------------------------

TEST_CASE("ThreadPoolExecutor.submit returns a Future with the result") {
    ThreadPoolExecutor executor(2);
    Future<int> f = executor.submit(square, 7);
    CHECK(f.result(30) == 49);
    CHECK(f.done());
    auto g = executor.submit([](const std::string& a, int n) { return a + std::to_string(n); }, std::string("x"), 3);
    CHECK(g.result(30) == "x3");
}

TEST_CASE("ThreadPoolExecutor.submit of a void function gives a Future<void>") {
    ThreadPoolExecutor executor(1);
    std::atomic<int> ran{0};
    Future<void> f = executor.submit([&] { ++ran; });
    CHECK_NOTHROW(f.result(30));
    CHECK(ran == 1);
    CHECK(f.exception() == nullptr);
}

TEST_CASE("ThreadPoolExecutor task exceptions travel through Future.result and exception") {
    ThreadPoolExecutor executor(2);
    auto f = executor.submit([]() -> int { throw ValueError("task failed"); });
    CHECK(raised([&] { f.result(30); }) == "ValueError: task failed");
    CHECK_THROWS_AS(f.result(), ValueError);
    CHECK(describe_exception(f.exception()) == "ValueError: task failed");
    auto g = executor.submit([] { return std::vector<int>{}.at(3); });
    CHECK_THROWS_AS(g.result(30), std::out_of_range);
    CHECK(exception_type_name(g.exception()) == "std::out_of_range");
    // The worker survives a failing task.
    CHECK(executor.submit(square, 3).result(30) == 9);
}

TEST_CASE("ThreadPoolExecutor.submit after shutdown raises RuntimeError") {
    ThreadPoolExecutor executor(1);
    executor.submit(square, 2).result(30);
    executor.shutdown();
    CHECK(raised([&] { executor.submit(square, 3); }) == "RuntimeError: cannot schedule new futures after shutdown");
    CHECK_NOTHROW(executor.shutdown()); // twice is fine
    ThreadPoolExecutor unused(1);
    unused.shutdown(false);
    CHECK(raised([&] { unused.submit(square, 3); }) == "RuntimeError: cannot schedule new futures after shutdown");
}

TEST_CASE("ThreadPoolExecutor a task can submit more work to its own pool") {
    ThreadPoolExecutor executor(2);
    auto outer = executor.submit([&] { return executor.submit(square, 5).result(30) + 1; });
    CHECK(outer.result(30) == 26);
}

// [SECTION] workers ----------------------------------------------------------------------------

TEST_CASE("ThreadPoolExecutor workers are named ThreadPoolExecutor-K_N") {
    std::string first, second;
    {
        ThreadPoolExecutor executor(1);
        first = executor.submit([] { return current_thread().name(); }).result(30);
    }
    {
        ThreadPoolExecutor executor(1);
        second = executor.submit([] { return current_thread().name(); }).result(30);
    }
    std::smatch m1, m2;
    REQUIRE(std::regex_match(first, m1, std::regex("ThreadPoolExecutor-([0-9]+)_0")));
    REQUIRE(std::regex_match(second, m2, std::regex("ThreadPoolExecutor-([0-9]+)_0")));
    CHECK(std::stoi(m2[1]) > std::stoi(m1[1])); // each executor has its own number
}

TEST_CASE("ThreadPoolExecutor workers are named prefix_N with thread_name_prefix") {
    ThreadPoolExecutor executor({.max_workers = 2, .thread_name_prefix = "prefix"});
    Barrier both(2);
    auto a = executor.submit([&] {
        both.wait(30);
        return current_thread().name();
    });
    auto b = executor.submit([&] {
        both.wait(30);
        return current_thread().name();
    });
    std::set<std::string> names{a.result(30), b.result(30)};
    CHECK(names == std::set<std::string>{"prefix_0", "prefix_1"});
    std::set<std::string> listed;
    for (auto& t : executor.threads()) listed.insert(t.name());
    CHECK(listed == names);
}

TEST_CASE("ThreadPoolExecutor workers are non-daemon Threads listed by enumerate") {
    ThreadPoolExecutor executor(1);
    executor.submit(square, 1).result(30);
    auto threads = executor.threads();
    REQUIRE(threads.size() == 1);
    CHECK_FALSE(threads[0].daemon());
    CHECK(threads[0].is_alive()); // idle, waiting for work
    auto all = enumerate();
    CHECK(std::find(all.begin(), all.end(), threads[0]) != all.end());
    executor.shutdown();
    CHECK_FALSE(threads[0].is_alive());
}

TEST_CASE("ThreadPoolExecutor reuses idle workers") {
    ThreadPoolExecutor executor(8);
    for (int i = 0; i < 20; ++i) CHECK(executor.submit(square, i).result(30) == i * i);
    // One at a time: an idle worker takes the next task. (A worker counts as idle only once it
    // is back waiting, so a submit right after a result may still start one more, as in Python.)
    CHECK(executor.threads().size() < 5);
}

TEST_CASE("ThreadPoolExecutor never exceeds max_workers") {
    constexpr int max_workers = 3;
    ThreadPoolExecutor executor(max_workers);
    Event release;
    std::atomic<int> inside{0}, most{0};
    Semaphore entered(0);
    std::vector<Future<int>> fs;
    for (int i = 0; i < 12; ++i)
        fs.push_back(executor.submit([&, i] {
            int now = ++inside;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            entered.release();
            release.wait(30);
            --inside;
            return i;
        }));
    for (int i = 0; i < max_workers; ++i) CHECK(entered.acquire(true, 30));
    CHECK(executor.threads().size() == max_workers);
    CHECK_FALSE(entered.acquire(true, 0.1)); // the fourth task waits for a free worker
    release.set();
    for (int i = 0; i < 12; ++i) CHECK(fs[i].result(30) == i);
    CHECK(most == max_workers);
    CHECK(executor.threads().size() == max_workers);
}

TEST_CASE("ThreadPoolExecutor initializer runs in each worker before its first task") {
    std::mutex mutex;
    std::set<unsigned long> initialized;
    ThreadPoolExecutor executor({.max_workers = 2, .initializer = [&] {
                                     std::lock_guard lock(mutex);
                                     initialized.insert(get_ident());
                                 }});
    Barrier both(2);
    auto task = [&] {
        both.wait(30);
        std::lock_guard lock(mutex);
        return initialized.count(get_ident()) == 1;
    };
    auto a = executor.submit(task), b = executor.submit(task);
    CHECK(a.result(30));
    CHECK(b.result(30));
    executor.shutdown();
    CHECK(initialized.size() == 2);
}

TEST_CASE("ThreadPoolExecutor with a failing initializer raises BrokenThreadPool") {
    Event gate;
    ThreadPoolExecutor executor({.max_workers = 1, .initializer = [&] {
                                     gate.wait(30); // until every task below is queued
                                     throw ValueError("init failed");
                                 }});
    std::vector<Future<int>> pending;
    for (int i = 0; i < 3; ++i) pending.push_back(executor.submit(square, i));
    CaptureFd err(2);
    gate.set();
    // Every queued future gets BrokenThreadPool, and so does any later submit.
    for (auto& f : pending)
        CHECK(raised([&] { f.result(30); }) ==
              "BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore");
    CHECK(raised([&] { executor.submit(square, 9); }) ==
          "BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore");
    CHECK_THROWS_AS(executor.submit(square, 9), BrokenExecutor);
    CHECK_THROWS_AS(executor.submit(square, 9), RuntimeError);
    executor.shutdown();
    if (CaptureFd::available) CHECK(err.text().find("Exception in initializer:\nValueError: init failed\n") != std::string::npos);
}

TEST_CASE("A failing initializer fails the queued futures and leaves a cancelled one cancelled") {
    // Python 3.11 raises InvalidStateError in the worker here and leaves the rest of the queue
    // pending forever; the futures after the cancelled one must still fail.
    Event gate;
    ThreadPoolExecutor executor({.max_workers = 1, .initializer = [&] {
                                     gate.wait(30);
                                     throw ValueError("init failed");
                                 }});
    auto first = executor.submit(square, 1);
    auto cancelled = executor.submit(square, 2);
    auto last = executor.submit(square, 3);
    REQUIRE(cancelled.cancel());
    CaptureFd err(2);
    gate.set();
    CHECK_THROWS_AS(first.result(30), BrokenThreadPool);
    CHECK_THROWS_AS(last.result(30), BrokenThreadPool);
    CHECK(cancelled.cancelled());
    executor.shutdown();
}

// [SECTION] shutdown ---------------------------------------------------------------------------

TEST_CASE("ThreadPoolExecutor.shutdown(wait=true) runs queued work first") {
    Calls calls;
    ThreadPoolExecutor executor(1);
    std::vector<Future<void>> fs;
    for (int i = 0; i < 5; ++i)
        fs.push_back(executor.submit([&calls, i] {
            sleep(0.01);
            calls.add(i);
        }));
    executor.shutdown(true);
    CHECK(calls.sorted() == std::vector<int>{0, 1, 2, 3, 4});
    for (auto& f : fs) CHECK(f.done());
    for (auto& t : executor.threads()) CHECK_FALSE(t.is_alive());
}

TEST_CASE("ThreadPoolExecutor.shutdown(wait=false) returns at once and the work still finishes") {
    ThreadPoolExecutor executor(1);
    Event release;
    auto f = executor.submit([&] {
        release.wait(30);
        return 1;
    });
    auto queued = executor.submit(square, 4);
    Stopwatch watch;
    executor.shutdown(false);
    CHECK(watch.elapsed() < 1.0);
    CHECK_FALSE(f.done());
    release.set();
    CHECK(f.result(30) == 1);
    CHECK(queued.result(30) == 16);
}

TEST_CASE("ThreadPoolExecutor.shutdown(cancel_futures=true) cancels queued work") {
    ThreadPoolExecutor executor(1);
    Event started, release;
    auto first = executor.submit([&] {
        started.set();
        release.wait(30);
        return 1;
    });
    REQUIRE(started.wait(30)); // `first` is running: the others stay queued
    std::vector<Future<int>> queued;
    for (int i = 0; i < 3; ++i) queued.push_back(executor.submit(square, i));
    executor.shutdown(false, true);
    for (auto& f : queued) {
        CHECK(f.cancelled());
        CHECK(f.done());
        CHECK(raised([&] { f.result(); }) == "CancelledError");
    }
    CHECK(first.running());
    release.set();
    CHECK(first.result(30) == 1);
    executor.shutdown(true);
}

TEST_CASE("ThreadPoolExecutor destructor waits for the work, like leaving a with block") {
    std::atomic<int> finished{0};
    std::vector<Future<void>> fs;
    {
        ThreadPoolExecutor executor(2);
        for (int i = 0; i < 4; ++i)
            fs.push_back(executor.submit([&] {
                sleep(0.05);
                ++finished;
            }));
    }
    CHECK(finished == 4);
    for (auto& f : fs) CHECK(f.done());
}

TEST_CASE("ThreadPoolExecutor.shutdown from inside one of its tasks does not deadlock") {
    ThreadPoolExecutor executor(1);
    auto f = executor.submit([&] {
        executor.shutdown(true); // cannot join itself: joins the others
        return 5;
    });
    CHECK(f.result(30) == 5);
    CHECK(raised([&] { executor.submit(square, 1); }) == "RuntimeError: cannot schedule new futures after shutdown");
}

// [SECTION] map --------------------------------------------------------------------------------

TEST_CASE("ThreadPoolExecutor.map keeps input order even when later items finish first") {
    constexpr int n = 4;
    ThreadPoolExecutor executor(n);
    std::vector<Event> finished(n);
    std::mutex mutex;
    std::vector<int> completion;
    std::vector<int> items{0, 1, 2, 3};
    auto results = executor.map(
        [&](int i) {
            if (i + 1 < n) finished[i + 1].wait(30); // item i ends after item i+1
            {
                std::lock_guard lock(mutex);
                completion.push_back(i);
            }
            finished[i].set();
            return i * 10;
        },
        items);
    std::vector<int> got;
    for (int r : results) got.push_back(r);
    CHECK(got == std::vector<int>{0, 10, 20, 30});
    std::lock_guard lock(mutex);
    CHECK(completion == std::vector<int>{3, 2, 1, 0});
}

TEST_CASE("ThreadPoolExecutor.map over pairs and tuples unpacks them") {
    ThreadPoolExecutor executor(2);
    std::vector<std::pair<int, int>> pairs{{1, 2}, {3, 4}, {5, 6}};
    CHECK(executor.map([](int a, int b) { return a * b; }, pairs).list() == std::vector<int>{2, 12, 30});
    std::vector<std::tuple<std::string, int, double>> tuples{{"a", 1, 0.5}, {"b", 2, 1.5}};
    CHECK(executor.map([](const std::string& s, int n, double x) { return s + str(n) + str(x); }, tuples).list() ==
          std::vector<std::string>{"a10.5", "b21.5"});
    // A function that takes the pair itself gets it whole.
    CHECK(executor.map([](const std::pair<int, int>& p) { return p.first + p.second; }, pairs).list() ==
          std::vector<int>{3, 7, 11});
}

TEST_CASE("ThreadPoolExecutor.map over an empty range yields nothing") {
    ThreadPoolExecutor executor(2);
    std::vector<int> none;
    auto results = executor.map(square, none);
    int n = 0;
    for (int r : results) {
        (void)r;
        ++n;
    }
    CHECK(n == 0);
    CHECK(executor.map(square, none, 0.1).list().empty());
    CHECK(executor.threads().empty());
}

TEST_CASE("ThreadPoolExecutor.map of a void function yields None for each item") {
    ThreadPoolExecutor executor(2);
    Calls calls;
    std::vector<int> items{1, 2, 3};
    auto results = executor.map([&](int i) { calls.add(i); }, items).list();
    CHECK(results.size() == 3);
    CHECK(results[0] == None);
    CHECK(str(results[0]) == "None");
    CHECK(calls.sorted() == items);
}

TEST_CASE("ThreadPoolExecutor.map with a timeout raises TimeoutError") {
    ThreadPoolExecutor executor(2);
    Event release;
    std::vector<int> items{1, 2};
    Stopwatch watch;
    std::string error;
    {
        auto results = executor.map(
            [&](int i) {
                if (i == 2) release.wait(30);
                return i;
            },
            items, 1.0); // long enough for item 1 even on a loaded machine under a sanitizer
        std::vector<int> got;
        error = raised([&] {
            for (int r : results) got.push_back(r);
        });
        CHECK(got == std::vector<int>{1});
    }
    CHECK(error == "TimeoutError");
    CHECK_TOOK_ABOUT(watch, 1.0);
    release.set();
}

TEST_CASE("ThreadPoolExecutor.map rethrows a task's exception at its position") {
    ThreadPoolExecutor executor(2);
    std::vector<int> items{1, 2, 3};
    auto results = executor.map(
        [](int i) {
            if (i == 2) throw ValueError("two");
            return i;
        },
        items);
    std::vector<int> got;
    std::string error = raised([&] {
        for (int r : results) got.push_back(r);
    });
    CHECK(got == std::vector<int>{1});
    CHECK(error == "ValueError: two");
}

TEST_CASE("ThreadPoolExecutor.map: an item that raises ends the iteration and cancels the items not started") {
    // Python: the exception comes out at its item; the next next() is StopIteration; the items
    // not started are cancelled when the exception leaves the generator, not later.
    Calls calls;
    ThreadPoolExecutor executor(1);
    Event three_running, release;
    std::vector<int> items{1, 2, 3, 4, 5};
    auto results = executor.map(
        [&](int i) {
            calls.add(i);
            if (i == 2) throw ValueError("two");
            if (i == 3) {
                three_running.set(); // 4 and 5 stay queued behind it
                release.wait(30);
            }
            return i;
        },
        items);
    auto it = results.begin();
    CHECK(*it == 1);
    ++it;
    REQUIRE(three_running.wait(30));
    CHECK(raised([&] { (void)*it; }) == "ValueError: two");
    CHECK(it == results.end()); // the iteration is over: no second ValueError
    ++it;                       // advancing an ended range is harmless
    CHECK(it == results.end());
    release.set();
    executor.shutdown(true); // still in the range's scope: 4 and 5 were cancelled already
    CHECK(calls.sorted() == std::vector<int>{1, 2, 3});
    CHECK(results.list().empty());
}

TEST_CASE("ThreadPoolExecutor.map with a timeout cancels the items not started when TimeoutError leaves") {
    Calls calls;
    ThreadPoolExecutor executor(1);
    Event release;
    std::vector<int> items{1, 2, 3};
    auto results = executor.map(
        [&](int i) {
            calls.add(i);
            release.wait(30);
            return i;
        },
        items, 0.2);
    auto it = results.begin();
    CHECK(raised([&] { (void)*it; }) == "TimeoutError");
    CHECK(it == results.end());
    release.set();
    executor.shutdown(true);
    CHECK(calls.sorted() == std::vector<int>{1}); // 2 and 3 never ran
}

TEST_CASE("ThreadPoolExecutor.map lets go of each result once it is taken, as Python's generator does") {
    constexpr int n = 8;
    ThreadPoolExecutor executor(2);
    std::vector<int> items(n);
    auto results = executor.map([](int) { return BigResult{}; }, items);
    executor.shutdown(true); // every result exists now: n of them
    CHECK(BigResult::alive == n);
    int taken = 0;
    for (const BigResult& r : results) {
        CHECK(r.bytes.size() == (4u << 20));
        // The ones taken before were freed; this one and those not reached yet are alive.
        CHECK(BigResult::alive <= n - taken + 1);
        ++taken;
    }
    CHECK(taken == n);
    CHECK(BigResult::alive == 0);
}

TEST_CASE("MapResult destroyed before iteration does not cancel the work") {
    Calls calls;
    ThreadPoolExecutor executor(1);
    Event release;
    auto blocker = executor.submit([&] { release.wait(30); });
    std::vector<int> items{1, 2, 3, 4};
    {
        auto results = executor.map([&](int i) { calls.add(i); }, items);
    } // never iterated: like a Python generator that never started, nothing is cancelled
    release.set();
    executor.shutdown(true);
    CHECK(calls.sorted() == items);
}

TEST_CASE("MapResult destroyed mid-iteration cancels the items not reached") {
    Calls calls;
    ThreadPoolExecutor executor(1);
    Event one_running, release;
    std::vector<int> items{0, 1, 2, 3, 4};
    {
        auto results = executor.map(
            [&](int i) {
                calls.add(i);
                if (i == 1) {
                    one_running.set();
                    release.wait(30); // 1 is running, 2..4 queued, when we stop
                }
                return i;
            },
            items);
        for (int r : results) {
            CHECK(r == 0);
            REQUIRE(one_running.wait(30));
            break;
        }
    } // closing the generator cancels 2, 3, 4 (1 is running and cannot be cancelled)
    release.set();
    executor.shutdown(true);
    CHECK(calls.sorted() == std::vector<int>{0, 1});
}

TEST_CASE("MapResult.list returns every result in order") {
    ThreadPoolExecutor executor(3);
    std::vector<int> items;
    for (int i = 0; i < 20; ++i) items.push_back(i);
    auto results = executor.map(square, items).list();
    REQUIRE(results.size() == 20);
    for (int i = 0; i < 20; ++i) CHECK(results[i] == i * i);
}

TEST_CASE("A task queued behind a blocked task starts on another worker") {
    // Idle workers watch the queue briefly before sleeping; work queued while only that worker was
    // awake must still wake a sleeping one, or B would wait forever behind A.
    ThreadPoolExecutor executor(2);
    for (int round = 0; round < 200; ++round) {
        Event b_ran;
        auto a = executor.submit([&] { return b_ran.wait(10); });
        auto b = executor.submit([&] { b_ran.set(); });
        REQUIRE(a.result(20));
        b.result(20);
    }
}

#ifndef __EMSCRIPTEN__
TEST_CASE("An idle pool's workers sleep instead of spinning") {
    auto cpu_seconds = [] {
        timespec t{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
    };
    ThreadPoolExecutor executor(4);
    std::vector<Future<int>> futures;
    for (int i = 0; i < 100; ++i) futures.push_back(executor.submit(square, i));
    for (auto& f : futures) f.result();
    sleep(0.05); // let the last worker's brief watch of the queue run out
    double before = cpu_seconds();
    sleep(0.5);
    double used = cpu_seconds() - before;
    CHECK(used < 0.1); // a worker that never slept would use about 0.5 s
}
#endif
