// The deadlock detector (deadlock.hpp): each kind of cycle, reported by name within a second;
// break_cycles ends the waits with DeadlockError; no reports without a cycle.
//
// [SECTION] Helpers
// [SECTION] Cycles: locks, joins, futures, pools
// [SECTION] Breaking cycles, again and again
// [SECTION] No false positives
#include "helpers.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace threadlab;

// [SECTION] Helpers -----------------------------------------------------------------------------

namespace {
// A detector whose reports are collected here (on_deadlock runs on its watchdog thread, so it
// uses the platform's mutex and condition - std:: ones on os, fibers' on sim - not a Lock).
struct Detection {
    tl::detail::Mutex mutex;
    tl::detail::CondVar changed;
    std::vector<DeadlockReport> seen;
    DeadlockDetector detector;

    explicit Detection(bool break_cycles = true)
        : detector(DeadlockDetector::Options{.break_cycles = break_cycles, .on_deadlock = [this](const DeadlockReport& r) {
              std::lock_guard lock(mutex);
              seen.push_back(r);
              changed.notify_all();
          }}) {}

    // The first `n` reports, waiting up to `seconds` for them.
    std::vector<DeadlockReport> wait_for(std::size_t n, double seconds = 10) {
        std::unique_lock lock(mutex);
        changed.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return seen.size() >= n; });
        return seen;
    }
    std::size_t count() {
        std::lock_guard lock(mutex);
        return seen.size();
    }
};

// The time the last of several threads began a wait that closes a cycle.
struct Formed {
    tl::detail::Mutex mutex;
    double at = 0;
    void now() {
        std::lock_guard lock(mutex);
        at = std::max(at, perf_counter());
    }
    double get() {
        std::lock_guard lock(mutex);
        return at;
    }
};

std::uint64_t id(const void* object) { return events::detail::object_id(object); }

// Thread `name` takes `first`, waits until every thread holds its first lock, then takes `second`.
// What it raised (the DeadlockError's message) goes to `error`.
Thread opposite_order(const std::string& name, Lock& first, Lock& second, Barrier& all_hold, Formed& formed,
                      std::string& error) {
    return Thread({.name = name}, [&first, &second, &all_hold, &formed, &error] {
        std::lock_guard hold(first);
        all_hold.wait();
        formed.now();
        try {
            std::lock_guard take(second);
        } catch (const DeadlockError& e) {
            error = e.what();
        }
    });
}

// One lock-order deadlock, broken: the report.
DeadlockReport two_lock_round(Detection& detection, std::size_t index, double& latency) {
    Lock a, b;
    a.set_name("lock_a");
    b.set_name("lock_b");
    Barrier all_hold(2);
    Formed formed;
    std::string error1, error2;
    Thread t1 = opposite_order("Thread-1", a, b, all_hold, formed, error1);
    Thread t2 = opposite_order("Thread-2", b, a, all_hold, formed, error2);
    t1.start();
    t2.start();
    auto reports = detection.wait_for(index + 1);
    t1.join();
    t2.join();
    REQUIRE(reports.size() == index + 1);
    latency = reports[index].detected_at - formed.get();
    CHECK(error1 == reports[index].message);
    CHECK(error2 == reports[index].message);
    return reports[index];
}
} // namespace

// [SECTION] Cycles: locks, joins, futures, pools -------------------------------------------------

TEST_CASE("deadlock: two threads taking lock_a and lock_b in opposite orders are reported by name within 1 s") {
    Detection detection;
    double latency = 0;
    DeadlockReport report = two_lock_round(detection, 0, latency);
    CHECK(report.message == "Deadlock: Thread-1 holds lock_a and waits for lock_b; Thread-2 holds lock_b and waits for lock_a");
    CHECK(report.threads.size() == 2);
    CHECK(report.kinds == std::vector<events::ObjectKind>{events::ObjectKind::lock, events::ObjectKind::lock});
    CHECK(latency > 0.15); // it persisted first
    CHECK(latency < 1.0);
    CHECK(detection.detector.reports().size() == 1);
}

TEST_CASE("deadlock: the report names the threads in cycle order and the locks each waits for") {
    Detection detection;
    Lock a, b;
    a.set_name("lock_a");
    b.set_name("lock_b");
    Barrier all_hold(2);
    Formed formed;
    std::string e1, e2;
    Thread t1 = opposite_order("first", a, b, all_hold, formed, e1);
    Thread t2 = opposite_order("second", b, a, all_hold, formed, e2);
    t1.start();
    t2.start();
    auto reports = detection.wait_for(1);
    t1.join();
    t2.join();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].threads == std::vector<std::uint32_t>{t1.serial(), t2.serial()});
    CHECK(reports[0].objects == std::vector<std::uint64_t>{id(&b), id(&a)});
}

TEST_CASE("deadlock: unnamed locks are shown as <Lock at 0x...> and RLocks as <RLock at 0x...>") {
    Detection detection;
    Lock a;
    RLock b;
    Barrier all_hold(2);
    Formed formed;
    std::string e1, e2;
    Thread t1({.name = "Thread-1"}, [&] {
        std::lock_guard hold(a);
        all_hold.wait();
        try {
            std::lock_guard take(b);
        } catch (const DeadlockError& e) {
            e1 = e.what();
        }
    });
    Thread t2({.name = "Thread-2"}, [&] {
        std::lock_guard hold(b);
        std::lock_guard again(b); // re-entered: level 2
        all_hold.wait();
        try {
            std::lock_guard take(a);
        } catch (const DeadlockError& e) {
            e2 = e.what();
        }
    });
    t1.start();
    t2.start();
    auto reports = detection.wait_for(1);
    t1.join();
    t2.join();
    REQUIRE(reports.size() == 1);
    CHECK(matches(reports[0].message, "Deadlock: Thread-1 holds <Lock at 0x[0-9a-f]+> and waits for <RLock at 0x[0-9a-f]+>; "
                                      "Thread-2 holds <RLock at 0x[0-9a-f]+> and waits for <Lock at 0x[0-9a-f]+>"));
    CHECK(e1 == reports[0].message);
    CHECK(e2 == reports[0].message);
}

TEST_CASE("deadlock: three threads and three locks in a ring are reported as one cycle") {
    Detection detection;
    Lock locks[3];
    const char* names[3] = {"a", "b", "c"};
    for (int i = 0; i < 3; ++i) locks[i].set_name(names[i]);
    Barrier all_hold(3);
    Formed formed;
    std::string errors[3];
    std::vector<Thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.push_back(opposite_order("T" + std::to_string(i + 1), locks[i], locks[(i + 1) % 3], all_hold, formed, errors[i]));
    for (auto& t : threads) t.start();
    auto reports = detection.wait_for(1);
    for (auto& t : threads) t.join();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].message == "Deadlock: T1 holds a and waits for b; T2 holds b and waits for c; T3 holds c and waits for a");
    CHECK(reports[0].detected_at - formed.get() < 1.0);
    for (auto& e : errors) CHECK(e == reports[0].message);
}

TEST_CASE("deadlock: two threads joining each other are reported (Thread-1 waits for Thread-2 to finish)") {
    Detection detection;
    Formed formed;
    Barrier both_started(2);
    std::string e1, e2;
    Thread t1, t2;
    t1 = Thread({.name = "Thread-1"}, [&] {
        both_started.wait();
        formed.now();
        try {
            t2.join();
        } catch (const DeadlockError& e) {
            e1 = e.what();
        }
    });
    t2 = Thread({.name = "Thread-2"}, [&] {
        both_started.wait();
        formed.now();
        try {
            t1.join();
        } catch (const DeadlockError& e) {
            e2 = e.what();
        }
    });
    t1.start();
    t2.start();
    auto reports = detection.wait_for(1);
    t1.join();
    t2.join();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].message == "Deadlock: Thread-1 waits for Thread-2 to finish; Thread-2 waits for Thread-1 to finish");
    CHECK(reports[0].kinds == std::vector<events::ObjectKind>{events::ObjectKind::thread, events::ObjectKind::thread});
    CHECK(reports[0].detected_at - formed.get() < 1.0);
    CHECK(e1 == reports[0].message);
    CHECK(e2 == reports[0].message);
}

TEST_CASE("deadlock: the main thread holding a lock and joining a thread that waits for it is a cycle") {
    Detection detection;
    Lock lock;
    lock.set_name("lock_x");
    std::string thread_error;
    Thread t({.name = "Thread-9"}, [&] {
        try {
            std::lock_guard take(lock);
        } catch (const DeadlockError& e) {
            thread_error = e.what();
        }
    });
    std::string main_error;
    {
        std::lock_guard hold(lock);
        t.start();
        main_error = raised([&] { t.join(); });
    }
    t.join();
    auto reports = detection.wait_for(1);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].message ==
          "Deadlock: " + current_thread().name() + " holds lock_x and waits for Thread-9 to finish; Thread-9 waits for lock_x");
    CHECK(main_error == "DeadlockError: " + reports[0].message);
    CHECK(thread_error == reports[0].message);
}

TEST_CASE("deadlock: a task on a one-worker pool waiting for a future queued behind it is the pool deadlock") {
    Detection detection;
    double formed = 0;
    ThreadPoolExecutor pool({.max_workers = 1, .thread_name_prefix = "pool"});
    Future<int> outer = pool.submit([&] {
        Future<int> inner = pool.submit([] { return 1; });
        formed = perf_counter();
        return inner.result() + 1;
    });
    std::string error = raised([&] { outer.result(); });
    auto reports = detection.wait_for(1);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].message == "Deadlock: pool_0 runs a task that waits for a future queued behind it on the same pool (max_workers=1)");
    CHECK(error == "DeadlockError: " + reports[0].message);
    CHECK(reports[0].threads.size() == 1);
    CHECK(reports[0].kinds == std::vector<events::ObjectKind>{events::ObjectKind::future});
    CHECK(reports[0].detected_at - formed < 1.0);
    // The pool is usable afterwards: the queued task ran once the worker was free.
    CHECK(pool.submit([] { return 7; }).result(5) == 7);
}

TEST_CASE("deadlock: two pool tasks each waiting for the other's result() are reported") {
    Detection detection;
    Formed formed;
    ThreadPoolExecutor pool({.max_workers = 2, .thread_name_prefix = "fut"});
    std::optional<Future<int>> fa, fb;
    Event ready;
    Barrier both_running(2);
    fa = pool.submit([&] {
        both_running.wait();
        ready.wait();
        formed.now();
        return fb->result() + 1;
    });
    fb = pool.submit([&] {
        both_running.wait();
        ready.wait();
        formed.now();
        return fa->result() + 1;
    });
    ready.set();
    std::string error_a = raised([&] { fa->result(); });
    std::string error_b = raised([&] { fb->result(); });
    auto reports = detection.wait_for(1);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].message == "Deadlock: fut_0 waits for the result of a task running on fut_1; "
                                "fut_1 waits for the result of a task running on fut_0");
    CHECK(reports[0].detected_at - formed.get() < 1.0);
    CHECK(error_a == "DeadlockError: " + reports[0].message);
    CHECK(error_b == "DeadlockError: " + reports[0].message);
}

TEST_CASE("deadlock: without break_cycles a cycle is reported once, on stderr by default, and the waits go on") {
    CaptureFd err(2);
    std::optional<DeadlockDetector> detector(std::in_place); // default options: print, do not break
    Lock a, b;
    a.set_name("lock_a");
    b.set_name("lock_b");
    Barrier all_hold(2);
    std::atomic<int> timed_out{0};
    auto body = [&](Lock& first, Lock& second) {
        std::lock_guard hold(first);
        all_hold.wait();
        if (!second.acquire(true, 1.0))
            ++timed_out;
        else
            second.release();
    };
    Thread t1({.name = "Thread-1"}, body, std::ref(a), std::ref(b));
    Thread t2({.name = "Thread-2"}, body, std::ref(b), std::ref(a));
    t1.start();
    t2.start();
    t1.join();
    t2.join();
    auto reports = detector->reports();
    detector.reset();
    std::string text = err.text();
    CHECK(timed_out.load() >= 1);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].message == "Deadlock: Thread-1 holds lock_a and waits for lock_b; Thread-2 holds lock_b and waits for lock_a");
    if (CaptureFd::available) CHECK(text == reports[0].message + "\n");
}

// [SECTION] Breaking cycles, again and again ----------------------------------------------------

TEST_CASE("deadlock: 20 deadlocks in a row, each broken with DeadlockError, leak no thread") {
    const std::size_t threads_before = active_count();
    Detection detection;
    std::vector<double> latencies;
    for (std::size_t round = 0; round < 20; ++round) {
        double latency = 0;
        if (round % 2 == 0) {
            two_lock_round(detection, round, latency);
        } else {
            // The pool deadlock, on a new pool each time.
            ThreadPoolExecutor pool({.max_workers = 1});
            double formed = 0;
            Future<int> outer = pool.submit([&] {
                Future<int> inner = pool.submit([] { return 1; });
                formed = perf_counter();
                return inner.result();
            });
            CHECK(matches(raised([&] { outer.result(); }), "DeadlockError: Deadlock: .* runs a task that waits .*"));
            auto reports = detection.wait_for(round + 1);
            REQUIRE(reports.size() == round + 1);
            latency = reports[round].detected_at - formed;
        }
        CHECK(latency < 1.0);
        latencies.push_back(latency);
        CHECK(active_count() == threads_before);
    }
    CHECK(detection.count() == 20);
    CHECK(active_count() == threads_before);
    std::sort(latencies.begin(), latencies.end());
    std::printf("deadlock detection latency over 20 rounds: median %.3f s, max %.3f s\n", latencies[10], latencies.back());
}

TEST_CASE("deadlock: DeadlockError is a RuntimeError") {
    CHECK(raised([] { throw DeadlockError("Deadlock: x"); }) == "DeadlockError: Deadlock: x");
    bool caught = false;
    try {
        throw DeadlockError("m");
    } catch (const RuntimeError&) {
        caught = true;
    }
    CHECK(caught);
}

// [SECTION] No false positives ------------------------------------------------------------------

TEST_CASE("deadlock: RLock re-entry and a Condition over an RLock are no deadlock") {
    Detection detection;
    RLock r;
    Condition cond(r);
    bool go = false;
    Thread holder({.name = "holder"}, [&] {
        std::lock_guard once(r);
        std::lock_guard twice(r);
        sleep(0.3);
        std::lock_guard thrice(r); // re-entry while another thread waits for r
        sleep(0.3);
    });
    Thread waiter({.name = "waiter"}, [&] {
        sleep(0.05);
        std::lock_guard take(r);
        cond.wait_for([&] { return go; }, 2.0);
    });
    Thread notifier({.name = "notifier"}, [&] {
        sleep(0.8);
        std::lock_guard take(r);
        go = true;
        cond.notify_all();
    });
    holder.start();
    waiter.start();
    notifier.start();
    holder.join();
    waiter.join();
    notifier.join();
    sleep(0.3);
    CHECK(detection.count() == 0);
}

TEST_CASE("deadlock: a Lock its holder waits for and another thread releases is no deadlock") {
    Detection detection;
    Lock signal;
    signal.acquire();
    Thread releaser({.name = "releaser"}, [&] {
        sleep(0.5);
        signal.release(); // a Lock may be released by any thread
    });
    releaser.start();
    Stopwatch watch;
    CHECK(signal.acquire()); // waits for a Lock this thread holds, until the releaser frees it
    CHECK(watch.elapsed() > 0.4);
    signal.release();
    releaser.join();
    sleep(0.3);
    CHECK(detection.count() == 0);
}

TEST_CASE("deadlock: timed waits in opposite orders that time out and back off are no deadlock") {
    Detection detection;
    Lock a, b;
    std::atomic<int> backoffs{0};
    auto body = [&](Lock& first, Lock& second) {
        for (int done = 0; done < 10;) {
            std::unique_lock hold(first);
            if (second.acquire(true, 0.05)) {
                sleep(0.02);
                second.release();
                ++done;
            } else {
                ++backoffs;
                hold.unlock();
                sleep(0.01);
            }
        }
    };
    Thread t1(body, std::ref(a), std::ref(b));
    Thread t2(body, std::ref(b), std::ref(a));
    Stopwatch watch;
    t1.start();
    t2.start();
    t1.join();
    t2.join();
    // A join with a timeout that keeps timing out, against a thread that waits for the joiner's lock.
    Lock held;
    held.acquire();
    Thread blocked([&] { std::lock_guard take(held); });
    blocked.start();
    for (int i = 0; i < 5; ++i) blocked.join(0.1);
    held.release();
    blocked.join();
    sleep(0.3);
    CHECK(detection.count() == 0);
}

TEST_CASE("deadlock: 100,000 random lock operations in a global order across 4 threads are no deadlock") {
    Detection detection;
    constexpr int lock_count = 4;
    Lock locks[lock_count];
    RLock shared;
    std::atomic<long> operations{0};
    auto body = [&](unsigned seed) {
        std::mt19937 random(seed);
        long mine = 0;
        while (mine < 25'000) {
            unsigned subset = random() % (1u << lock_count);
            std::vector<int> taken;
            for (int i = 0; i < lock_count; ++i)
                if (subset & (1u << i)) {
                    locks[i].acquire();
                    taken.push_back(i);
                    ++mine;
                }
            if (random() % 4 == 0) { // an RLock, taken last and re-entered
                shared.acquire();
                shared.acquire();
                shared.release();
                shared.release();
                mine += 2;
            }
            for (auto it = taken.rbegin(); it != taken.rend(); ++it) locks[*it].release();
        }
        operations += mine;
    };
    std::vector<Thread> threads;
    for (unsigned i = 0; i < 4; ++i) threads.emplace_back(body, 1234 + i);
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    sleep(0.3);
    CHECK(operations.load() >= 100'000);
    CHECK(detection.count() == 0);
}
