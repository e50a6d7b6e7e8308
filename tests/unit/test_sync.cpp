// Lock, RLock, Condition, Semaphore, BoundedSemaphore, Event, Barrier.
#include "helpers.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <sstream>
#include <mutex>
#include <set>
#include <vector>

using namespace threadlab;

// [SECTION] Lock --------------------------------------------------------------------------------

TEST_CASE("Lock.acquire and release toggle locked") {
    Lock lock;
    CHECK_FALSE(lock.locked());
    CHECK(lock.acquire());
    CHECK(lock.locked());
    lock.release();
    CHECK_FALSE(lock.locked());
}

TEST_CASE("Lock.release of an unlocked lock raises RuntimeError") {
    Lock lock;
    CHECK(raised([&] { lock.release(); }) == "RuntimeError: release unlocked lock");
    lock.acquire();
    lock.release();
    CHECK(raised([&] { lock.release(); }) == "RuntimeError: release unlocked lock");
    CHECK_FALSE(lock.locked());
}

TEST_CASE("Lock.acquire non-blocking returns false while held") {
    Lock lock;
    CHECK(lock.acquire(false));
    CHECK_FALSE(lock.acquire(false));
    CHECK_FALSE(lock.try_lock());
    lock.release();
    CHECK(lock.try_lock());
    lock.unlock();
}

TEST_CASE("Lock.acquire with a timeout returns false after the timeout") {
    Lock lock;
    lock.acquire();
    Stopwatch watch;
    CHECK_FALSE(lock.acquire(true, 0.2)); // a Lock is not reentrant: this times out
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(lock.locked());
    Stopwatch zero;
    CHECK_FALSE(lock.acquire(true, 0));
    CHECK(zero.elapsed() < 1.0);
    lock.release();
    CHECK(lock.acquire(true, 0.2));
    lock.release();
}

TEST_CASE("Lock.acquire with a timeout from another thread returns false after the timeout") {
    Lock lock;
    lock.acquire();
    bool got = true;
    double took = 0;
    Thread t{[&] {
        Stopwatch watch;
        got = lock.acquire(true, 0.2);
        took = watch.elapsed();
    }};
    t.start();
    t.join();
    CHECK_FALSE(got);
    CHECK(took >= 0.19);
    CHECK(took < 2.0);
    lock.release();
}

TEST_CASE("Lock.acquire argument errors raise ValueError") {
    Lock lock;
    CHECK(raised([&] { lock.acquire(false, 1); }) == "ValueError: can't specify a timeout for a non-blocking call");
    CHECK(raised([&] { lock.acquire(true, -2); }) == "ValueError: timeout value must be a non-negative number");
    CHECK(raised([&] { lock.acquire(true, 1e10); }) == "OverflowError: timeout value is too large");
    CHECK(raised([&] { lock.acquire(true, std::nan("")); }) == "ValueError: Invalid value NaN (not a number)");
    CHECK_FALSE(lock.locked());
}

TEST_CASE("Lock can be released by another thread") {
    Lock lock;
    lock.acquire();
    Thread t{[&] { lock.release(); }};
    t.start();
    t.join();
    CHECK_FALSE(lock.locked());
}

TEST_CASE("Lock.acquire blocks until another thread releases it") {
    Lock lock;
    lock.acquire();
    Event started;
    std::atomic<bool> got{false};
    Thread t{[&] {
        started.set();
        lock.acquire();
        got = true;
        lock.release();
    }};
    t.start();
    started.wait();
    CHECK_FALSE(got);
    lock.release();
    t.join(30);
    CHECK(got);
    CHECK_FALSE(lock.locked());
}

TEST_CASE("Lock with std::lock_guard gives mutual exclusion") {
    Lock lock;
    long counter = 0; // plain: only the lock protects it (ThreadSanitizer checks)
    std::vector<Thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 2000; ++k) {
                std::lock_guard guard(lock);
                ++counter;
            }
        });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(counter == 8000);
}

// [SECTION] RLock -------------------------------------------------------------------------------

TEST_CASE("RLock can be acquired again by its owner") {
    RLock lock;
    CHECK(lock.acquire());
    CHECK(lock.acquire());
    CHECK(lock.acquire(false));
    CHECK(lock.locked());
    lock.release();
    lock.release();
    CHECK(lock.locked());
    lock.release();
    CHECK_FALSE(lock.locked());
    CHECK(raised([&] { lock.release(); }) == "RuntimeError: cannot release un-acquired lock");
}

TEST_CASE("RLock.release by a non-owner raises RuntimeError") {
    RLock lock;
    lock.acquire();
    std::string error;
    Thread t{[&] { error = raised([&] { lock.release(); }); }};
    t.start();
    t.join();
    CHECK(error == "RuntimeError: cannot release un-acquired lock");
    CHECK(lock.locked());
    lock.release();
}

TEST_CASE("RLock.acquire by another thread times out while held") {
    RLock lock;
    std::lock_guard guard(lock);
    bool blocking_got = true, nonblocking_got = true;
    double took = 0;
    Thread t{[&] {
        nonblocking_got = lock.acquire(false);
        Stopwatch watch;
        blocking_got = lock.acquire(true, 0.2);
        took = watch.elapsed();
    }};
    t.start();
    t.join();
    CHECK_FALSE(nonblocking_got);
    CHECK_FALSE(blocking_got);
    CHECK(took >= 0.19);
    CHECK(took < 2.0);
}

TEST_CASE("RLock.acquire argument errors raise ValueError") {
    RLock lock;
    CHECK(raised([&] { lock.acquire(false, 1); }) == "ValueError: can't specify a timeout for a non-blocking call");
    lock.acquire();
    CHECK(raised([&] { lock.acquire(true, -2); }) == "ValueError: timeout value must be a non-negative number");
    lock.release();
    CHECK_FALSE(lock.locked());
}

TEST_CASE("RLock gives mutual exclusion to nested holders") {
    RLock lock;
    long counter = 0;
    std::vector<Thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 1000; ++k) {
                std::lock_guard outer(lock);
                std::lock_guard inner(lock);
                ++counter;
            }
        });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(counter == 3000);
    CHECK(lock.acquire(false));
    lock.release();
}

TEST_CASE("RLock.is_owned, release_save and acquire_restore (Condition's hooks)") {
    RLock lock;
    CHECK_FALSE(lock.is_owned());
    CHECK(raised([&] { lock.release_save(); }) == "RuntimeError: cannot release un-acquired lock");
    lock.acquire();
    lock.acquire();
    lock.acquire();
    CHECK(lock.is_owned());
    std::size_t saved = lock.release_save();
    CHECK(saved == 3);
    CHECK_FALSE(lock.locked());
    CHECK_FALSE(lock.is_owned());
    bool other_got = false;
    Thread t{[&] {
        other_got = lock.acquire(false);
        if (other_got) lock.release();
    }};
    t.start();
    t.join();
    CHECK(other_got); // fully released
    lock.acquire_restore(saved);
    CHECK(lock.is_owned());
    for (int i = 0; i < 3; ++i) lock.release();
    CHECK_FALSE(lock.locked());
}

// [SECTION] Condition ---------------------------------------------------------------------------

TEST_CASE("Condition.wait without the lock raises RuntimeError") {
    Condition cond;
    CHECK(raised([&] { cond.wait(0.1); }) == "RuntimeError: cannot wait on un-acquired lock");
    Lock lock;
    Condition over_lock(lock);
    CHECK(raised([&] { over_lock.wait(0.1); }) == "RuntimeError: cannot wait on un-acquired lock");
    CHECK(raised([&] { over_lock.wait_for([] { return false; }, 0.1); }) ==
          "RuntimeError: cannot wait on un-acquired lock");
}

TEST_CASE("Condition.notify without the lock raises RuntimeError") {
    Condition cond;
    CHECK(raised([&] { cond.notify(); }) == "RuntimeError: cannot notify on un-acquired lock");
    CHECK(raised([&] { cond.notify_all(); }) == "RuntimeError: cannot notify on un-acquired lock");
    // Held by another thread is not held by the caller.
    cond.acquire();
    std::string error;
    Thread t{[&] { error = raised([&] { cond.notify(); }); }};
    t.start();
    t.join();
    cond.release();
    CHECK(error == "RuntimeError: cannot notify on un-acquired lock");
}

TEST_CASE("Condition.wait with a timeout returns false after the timeout") {
    Condition cond;
    std::unique_lock guard(cond);
    Stopwatch watch;
    CHECK_FALSE(cond.wait(0.2));
    CHECK_TOOK_ABOUT(watch, 0.2);
    Stopwatch zero;
    CHECK_FALSE(cond.wait(0));
    CHECK(zero.elapsed() < 1.0);
    // The lock is held again after wait returns.
    std::string error = raised([&] { cond.notify(); });
    CHECK(error == "nothing raised");
}

TEST_CASE("Condition.wait returns true when notified") {
    Condition cond;
    bool ready = false;
    std::atomic<bool> woke{false};
    Thread waiter{[&] {
        std::unique_lock guard(cond);
        while (!ready) cond.wait();
        woke = true;
    }};
    waiter.start();
    {
        std::unique_lock guard(cond);
        ready = true;
        cond.notify();
    }
    waiter.join(30);
    CHECK(woke);
}

TEST_CASE("Condition.wait_for returns the predicate's value") {
    Condition cond;
    int items = 0;
    Thread producer{[&] {
        std::lock_guard guard(cond);
        items = 3;
        cond.notify_all();
    }};
    int got = 0;
    {
        std::unique_lock guard(cond);
        producer.start();
        got = cond.wait_for([&] { return items; }, 30);
    }
    producer.join();
    CHECK(got == 3);
}

TEST_CASE("Condition.wait_for with a timeout returns the false predicate") {
    Condition cond;
    std::unique_lock guard(cond);
    int calls = 0;
    Stopwatch watch;
    bool result = cond.wait_for([&] {
        ++calls;
        return false;
    }, 0.2);
    CHECK_FALSE(result);
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(calls >= 2); // checked before waiting and after the timeout
}

namespace {
// n threads that wait on `cond` one after another (each is waiting before the next starts) and
// record the order they wake in.
struct FifoWaiters {
    Condition cond;
    Semaphore arrived{0};
    Semaphore woke{0};
    std::mutex order_mutex;
    std::vector<int> order;
    std::vector<Thread> threads;

    explicit FifoWaiters(int n) {
        for (int i = 0; i < n; ++i) {
            threads.emplace_back([this, i] {
                std::unique_lock guard(cond);
                arrived.release(); // the waiter holds the lock until wait() has queued it
                cond.wait(30);
                {
                    std::lock_guard g(order_mutex);
                    order.push_back(i);
                }
                woke.release();
            });
            threads.back().start();
            arrived.acquire();
            std::lock_guard sync(cond); // taken only once waiter i is inside wait()
        }
    }
    std::vector<int> woken() {
        std::lock_guard g(order_mutex);
        return order;
    }
    ~FifoWaiters() {
        {
            std::lock_guard guard(cond);
            cond.notify_all();
        }
        for (auto& t : threads) t.join();
    }
};
} // namespace

TEST_CASE("Condition.notify wakes waiters in FIFO order") {
    FifoWaiters w(4);
    for (int k = 0; k < 4; ++k) {
        {
            std::lock_guard guard(w.cond);
            w.cond.notify();
        }
        CHECK(w.woke.acquire(true, 30));
    }
    CHECK(w.woken() == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("Condition.notify(n) wakes n waiters") {
    FifoWaiters w(4);
    {
        std::lock_guard guard(w.cond);
        w.cond.notify(2);
    }
    CHECK(w.woke.acquire(true, 30));
    CHECK(w.woke.acquire(true, 30));
    CHECK_FALSE(w.woke.acquire(true, 0.2)); // the other two still wait
    auto first_two = w.woken();
    std::sort(first_two.begin(), first_two.end()); // both woken: either may retake the lock first
    CHECK(first_two == std::vector<int>{0, 1});
    {
        std::lock_guard guard(w.cond);
        w.cond.notify_all();
    }
    CHECK(w.woke.acquire(true, 30));
    CHECK(w.woke.acquire(true, 30));
    auto order = w.woken();
    CHECK(order.size() == 4);
    CHECK(std::set<int>(order.begin(), order.end()) == std::set<int>{0, 1, 2, 3});
}

TEST_CASE("Condition.notify with no waiters does nothing") {
    Condition cond;
    std::lock_guard guard(cond);
    cond.notify();
    cond.notify(5);
    cond.notify_all();
    CHECK_FALSE(cond.wait(0));
}

TEST_CASE("Condition over an RLock held recursively releases it fully while waiting") {
    RLock rlock;
    Condition cond(rlock);
    rlock.acquire();
    rlock.acquire(); // held twice
    bool notifier_got_lock = false;
    Thread notifier{[&] {
        std::lock_guard guard(cond); // only possible while the waiter is inside wait()
        notifier_got_lock = true;
        cond.notify();
    }};
    notifier.start();
    bool notified = cond.wait(30);
    notifier.join();
    CHECK(notified);
    CHECK(notifier_got_lock);
    // The recursion level came back: two releases, and the third raises.
    CHECK(rlock.locked());
    rlock.release();
    CHECK(rlock.locked());
    rlock.release();
    CHECK_FALSE(rlock.locked());
    CHECK(raised([&] { rlock.release(); }) == "RuntimeError: cannot release un-acquired lock");
}

TEST_CASE("Condition over a Lock waits and is notified") {
    Lock lock;
    Condition cond(lock);
    bool flag = false;
    Thread setter{[&] {
        std::lock_guard guard(cond);
        flag = true;
        cond.notify();
    }};
    {
        std::unique_lock guard(cond);
        CHECK(lock.locked());
        setter.start();
        CHECK(cond.wait_for([&] { return flag; }, 30));
        CHECK(lock.locked());
    }
    CHECK_FALSE(lock.locked());
    setter.join();
}

TEST_CASE("Condition acquire and release pass through to its lock") {
    Condition cond;
    CHECK(cond.acquire());
    CHECK(cond.acquire(false)); // the default lock is an RLock
    cond.release();
    cond.release();
    CHECK(cond.try_lock());
    cond.unlock();
    Lock lock;
    Condition over_lock(lock);
    CHECK(over_lock.acquire());
    CHECK_FALSE(over_lock.acquire(false));
    Stopwatch watch;
    CHECK_FALSE(over_lock.acquire(true, 0.2));
    CHECK_TOOK_ABOUT(watch, 0.2);
    over_lock.release();
    CHECK_FALSE(lock.locked());
}

// [SECTION] Semaphore ---------------------------------------------------------------------------

TEST_CASE("Semaphore with a negative value raises ValueError") {
    CHECK(raised([] { Semaphore s(-1); }) == "ValueError: semaphore initial value must be >= 0");
    CHECK(raised([] { BoundedSemaphore s(-1); }) == "ValueError: semaphore initial value must be >= 0");
    CHECK(raised([] { Semaphore s(0); }) == "nothing raised");
}

TEST_CASE("Semaphore.release(n) with n < 1 raises ValueError") {
    Semaphore s(1);
    CHECK(raised([&] { s.release(0); }) == "ValueError: n must be one or more");
    CHECK(raised([&] { s.release(-3); }) == "ValueError: n must be one or more");
    BoundedSemaphore b(1);
    CHECK(raised([&] { b.release(0); }) == "ValueError: n must be one or more");
    CHECK(s.value() == 1);
}

TEST_CASE("Semaphore counts acquires and releases") {
    Semaphore s(2);
    CHECK(s.value() == 2);
    CHECK(s.acquire());
    CHECK(s.acquire());
    CHECK(s.value() == 0);
    CHECK_FALSE(s.acquire(false));
    CHECK_FALSE(s.try_lock());
    s.release();
    CHECK(s.value() == 1);
    s.release(3);
    CHECK(s.value() == 4); // a plain Semaphore may go above its initial value
    {
        std::lock_guard guard(s);
        CHECK(s.value() == 3);
    }
    CHECK(s.value() == 4);
    Semaphore default_one;
    CHECK(default_one.value() == 1);
}

TEST_CASE("Semaphore.acquire with a timeout returns false after the timeout") {
    Semaphore s(0);
    Stopwatch watch;
    CHECK_FALSE(s.acquire(true, 0.2));
    CHECK_TOOK_ABOUT(watch, 0.2);
    Stopwatch zero;
    CHECK_FALSE(s.acquire(true, 0.0));
    CHECK_FALSE(s.acquire(true, -1.0));
    CHECK(zero.elapsed() < 1.0);
    s.release();
    CHECK(s.acquire(true, 0.2));
}

TEST_CASE("Semaphore.acquire non-blocking with a timeout raises ValueError") {
    Semaphore s(1);
    CHECK(raised([&] { s.acquire(false, 1.0); }) == "ValueError: can't specify timeout for non-blocking acquire");
    CHECK(s.value() == 1);
}

TEST_CASE("Semaphore limits how many threads hold it at once") {
    Semaphore s(2);
    std::atomic<int> inside{0}, most{0};
    std::vector<Thread> threads;
    for (int i = 0; i < 6; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 20; ++k) {
                std::lock_guard guard(s);
                int now = ++inside;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                std::this_thread::yield();
                --inside;
            }
        });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(most >= 1);
    CHECK(most <= 2);
    CHECK(s.value() == 2);
}

TEST_CASE("Semaphore.release(n) wakes n waiters") {
    Semaphore s(0);
    Semaphore done(0);
    std::vector<Thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&] {
            if (s.acquire(true, 30)) done.release();
        });
    for (auto& t : threads) t.start();
    s.release(3);
    for (int i = 0; i < 3; ++i) CHECK(done.acquire(true, 30));
    for (auto& t : threads) t.join();
    CHECK(s.value() == 0);
}

TEST_CASE("BoundedSemaphore over-release raises ValueError") {
    BoundedSemaphore s(2);
    CHECK(raised([&] { s.release(); }) == "ValueError: Semaphore released too many times");
    s.acquire();
    CHECK(raised([&] { s.release(2); }) == "ValueError: Semaphore released too many times");
    CHECK(s.value() == 1); // a failed release changes nothing
    s.release();
    CHECK(s.value() == 2);
    s.acquire();
    s.acquire();
    s.release(2);
    CHECK(s.value() == 2);
    Semaphore& as_base = s; // release is virtual: the bound holds through the base class
    CHECK(raised([&] { as_base.release(); }) == "ValueError: Semaphore released too many times");
    BoundedSemaphore default_one;
    CHECK(default_one.value() == 1);
}

TEST_CASE("Semaphore.release past LLONG_MAX raises OverflowError and releases nothing") {
    Semaphore s(0);
    s.release(LLONG_MAX);
    CHECK(raised([&] { s.release(LLONG_MAX); }) == "OverflowError: Semaphore value too large");
    CHECK(raised([&] { s.release(); }) == "OverflowError: Semaphore value too large");
    CHECK(s.value() == LLONG_MAX);
    CHECK(s.acquire(false));
    CHECK(s.value() == LLONG_MAX - 1);
    s.release();
    CHECK(s.value() == LLONG_MAX);
}

TEST_CASE("BoundedSemaphore.release(LLONG_MAX) raises ValueError: Semaphore released too many times") {
    BoundedSemaphore s(1);
    CHECK(raised([&] { s.release(LLONG_MAX); }) == "ValueError: Semaphore released too many times");
    CHECK(s.value() == 1);
    s.acquire();
    CHECK(raised([&] { s.release(LLONG_MAX); }) == "ValueError: Semaphore released too many times");
    BoundedSemaphore huge(LLONG_MAX);
    CHECK(raised([&] { huge.release(LLONG_MAX); }) == "ValueError: Semaphore released too many times");
    CHECK(huge.value() == LLONG_MAX);
}

// [SECTION] Event -------------------------------------------------------------------------------

TEST_CASE("Event.set, clear and is_set") {
    Event e;
    CHECK_FALSE(e.is_set());
    e.set();
    CHECK(e.is_set());
    e.set();
    CHECK(e.is_set());
    e.clear();
    CHECK_FALSE(e.is_set());
}

TEST_CASE("Event.clear makes wait block again") {
    Event e;
    e.set();
    CHECK(e.wait(0));
    e.clear();
    Stopwatch watch;
    CHECK_FALSE(e.wait(0.2));
    CHECK_TOOK_ABOUT(watch, 0.2);
}

TEST_CASE("Event.wait returns true at once when set") {
    Event e;
    e.set();
    Stopwatch watch;
    CHECK(e.wait());
    CHECK(e.wait(0));
    CHECK(e.wait(10));
    CHECK(watch.elapsed() < 1.0);
}

TEST_CASE("Event.wait with a timeout returns false after the timeout") {
    Event e;
    Stopwatch watch;
    CHECK_FALSE(e.wait(0.2));
    CHECK_TOOK_ABOUT(watch, 0.2);
    Stopwatch zero;
    CHECK_FALSE(e.wait(0));
    CHECK_FALSE(e.wait(-1));
    CHECK(zero.elapsed() < 1.0);
}

TEST_CASE("Event.set wakes every waiter") {
    Event e;
    Semaphore woke(0);
    std::vector<Thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            if (e.wait(30)) woke.release();
        });
    for (auto& t : threads) t.start();
    e.set();
    for (int i = 0; i < 4; ++i) CHECK(woke.acquire(true, 30));
    for (auto& t : threads) t.join();
}

TEST_CASE("Event.wait returns true in every waiter woken by set(), even if clear() follows at once") {
    // CPython: set() notifies every waiter and a notified waiter returns True, whatever the flag
    // says when it gets to run again.
    constexpr int waiters = 6;
    for (int round = 0; round < 5; ++round) {
        Event e;
        std::atomic<int> entered{0};
        std::vector<int> results(waiters, -1);
        std::vector<Thread> threads;
        for (int i = 0; i < waiters; ++i)
            threads.emplace_back([&, i] {
                ++entered;
                results[i] = e.wait(5) ? 1 : 0;
            });
        for (auto& t : threads) t.start();
        REQUIRE(eventually([&] { return entered == waiters; }));
        sleep(0.05); // let them get into wait()
        Stopwatch watch;
        e.set();
        e.clear();
        for (auto& t : threads) t.join();
        CHECK(results == std::vector<int>(waiters, 1));
        CHECK(watch.elapsed() < 4.0); // nobody slept until the timeout
        CHECK_FALSE(e.is_set());
    }
}

// [SECTION] Barrier -----------------------------------------------------------------------------

TEST_CASE("Barrier with parties < 1 raises ValueError") {
    CHECK(raised([] { Barrier b(0); }) == "ValueError: parties must be >= 1");
    CHECK(raised([] { Barrier b(-2); }) == "ValueError: parties must be >= 1");
    Barrier one(1);
    CHECK(one.wait() == 0); // a single party passes at once
}

TEST_CASE("Barrier.wait returns distinct indices 0..parties-1 and runs the action once") {
    constexpr int parties = 5;
    std::atomic<int> actions{0};
    Barrier barrier(parties, [&] { ++actions; });
    std::vector<long long> indices(parties, -1);
    std::vector<Thread> threads;
    for (int i = 0; i < parties; ++i) threads.emplace_back([&, i] { indices[i] = barrier.wait(30); });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(actions == 1);
    CHECK(std::set<long long>(indices.begin(), indices.end()) == std::set<long long>{0, 1, 2, 3, 4});
    CHECK_FALSE(barrier.broken());
    CHECK(barrier.n_waiting() == 0);
}

TEST_CASE("Barrier is reusable across rounds") {
    Barrier barrier(3);
    std::atomic<int> passes{0};
    std::vector<Thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&] {
            for (int round = 0; round < 5; ++round) {
                barrier.wait(30);
                ++passes;
            }
        });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(passes == 15);
    CHECK_FALSE(barrier.broken());
}

TEST_CASE("Barrier.parties and n_waiting") {
    Barrier barrier(3);
    CHECK(barrier.parties() == 3);
    CHECK(barrier.n_waiting() == 0);
    Thread a{[&] { barrier.wait(30); }}, b{[&] { barrier.wait(30); }};
    a.start();
    CHECK(eventually([&] { return barrier.n_waiting() == 1; }));
    b.start();
    CHECK(eventually([&] { return barrier.n_waiting() == 2; }));
    barrier.wait(30);
    a.join();
    b.join();
    CHECK(barrier.n_waiting() == 0);
}

TEST_CASE("Barrier action may read n_waiting and broken, as Python's (parties and false)") {
    // CPython's properties take no lock: the action (run by the last thread to arrive, while the
    // others wait) sees every party counted and the barrier intact.
    std::atomic<long long> seen_waiting{-1};
    std::atomic<int> seen_broken{-1};
    Barrier* self = nullptr;
    Barrier barrier(3, [&] {
        seen_waiting = self->n_waiting();
        seen_broken = self->broken() ? 1 : 0;
        CHECK(matches(self->repr(), "<threading.Barrier at 0x[0-9a-f]+: waiters=3/3>"));
    });
    self = &barrier;
    Thread a{[&] { barrier.wait(30); }}, b{[&] { barrier.wait(30); }};
    a.start();
    b.start();
    barrier.wait(30);
    a.join();
    b.join();
    CHECK(seen_waiting == 3);
    CHECK(seen_broken == 0);
}

TEST_CASE("Barrier.wait with a timeout breaks the barrier") {
    Barrier barrier(2);
    Stopwatch watch;
    CHECK(raised([&] { barrier.wait(0.2); }) == "BrokenBarrierError");
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(barrier.broken());
    Stopwatch again;
    CHECK_THROWS_AS(barrier.wait(), BrokenBarrierError); // broken: raises at once
    CHECK(again.elapsed() < 1.0);
}

TEST_CASE("Barrier default timeout from the constructor breaks the barrier") {
    Barrier barrier(2, nullptr, 0.2);
    Stopwatch watch;
    CHECK_THROWS_AS(barrier.wait(), BrokenBarrierError);
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(barrier.broken());
}

TEST_CASE("Barrier timeout of one waiter breaks the barrier for the others") {
    Barrier barrier(3);
    std::string other_error;
    Thread other{[&] { other_error = raised([&] { barrier.wait(30); }); }};
    other.start();
    CHECK(eventually([&] { return barrier.n_waiting() == 1; }));
    CHECK(raised([&] { barrier.wait(0.2); }) == "BrokenBarrierError");
    other.join(30);
    CHECK(other_error == "BrokenBarrierError");
}

TEST_CASE("Barrier.abort breaks the barrier for waiting threads") {
    Barrier barrier(2);
    std::string error;
    Thread waiter{[&] { error = raised([&] { barrier.wait(30); }); }};
    waiter.start();
    CHECK(eventually([&] { return barrier.n_waiting() == 1; }));
    barrier.abort();
    waiter.join(30);
    CHECK_FALSE(waiter.is_alive());
    CHECK(error == "BrokenBarrierError");
    CHECK(barrier.broken());
    CHECK(raised([&] { barrier.wait(30); }) == "BrokenBarrierError");
}

TEST_CASE("Barrier.reset makes a broken barrier usable again") {
    Barrier barrier(2);
    barrier.abort();
    CHECK(barrier.broken());
    barrier.reset();
    CHECK_FALSE(barrier.broken());
    long long other = -1;
    Thread t{[&] { other = barrier.wait(30); }};
    t.start();
    long long mine = barrier.wait(30);
    t.join();
    CHECK(std::set<long long>{mine, other} == std::set<long long>{0, 1});
}

TEST_CASE("Barrier.reset while threads wait raises BrokenBarrierError in them") {
    Barrier barrier(3);
    std::string error;
    Thread waiter{[&] { error = raised([&] { barrier.wait(30); }); }};
    waiter.start();
    CHECK(eventually([&] { return barrier.n_waiting() == 1; }));
    barrier.reset();
    waiter.join(30);
    CHECK(error == "BrokenBarrierError");
    CHECK_FALSE(barrier.broken()); // reset, not broken: the next round works
    std::vector<Thread> threads;
    std::atomic<int> passed{0};
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&] {
            barrier.wait(30);
            ++passed;
        });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(passed == 3);
}

TEST_CASE("Barrier exception in the action breaks the barrier") {
    Barrier barrier(2, [] { throw ValueError("action failed"); });
    std::string waiter_error;
    Thread waiter{[&] { waiter_error = raised([&] { barrier.wait(30); }); }};
    waiter.start();
    CHECK(eventually([&] { return barrier.n_waiting() == 1; }));
    // The last to arrive runs the action and gets its exception; the others BrokenBarrierError.
    CHECK(raised([&] { barrier.wait(30); }) == "ValueError: action failed");
    waiter.join(30);
    CHECK(waiter_error == "BrokenBarrierError");
    CHECK(barrier.broken());
}

TEST_CASE("BrokenBarrierError is a RuntimeError") {
    Barrier barrier(1);
    barrier.abort();
    CHECK_THROWS_AS(barrier.wait(), RuntimeError);
    try {
        barrier.wait();
    } catch (const Exception& e) {
        CHECK(std::string(e.type_name()) == "BrokenBarrierError");
        CHECK(std::string(e.what()).empty());
    }
}

// [SECTION] repr --------------------------------------------------------------------------------

TEST_CASE("Lock, RLock, Condition, Semaphore, BoundedSemaphore, Event and Barrier print CPython 3.11's repr") {
    // Checked against Python 3.11.7: print(threading.Lock()), ...
    Lock lock;
    CHECK(matches(lock.repr(), "<unlocked _thread\\.lock object at 0x[0-9a-f]+>"));
    lock.acquire();
    CHECK(matches(lock.repr(), "<locked _thread\\.lock object at 0x[0-9a-f]+>"));
    lock.release();

    RLock rlock;
    CHECK(matches(rlock.repr(), "<unlocked _thread\\.RLock object owner=0 count=0 at 0x[0-9a-f]+>"));
    rlock.acquire();
    rlock.acquire();
    CHECK(rlock.repr().find("<locked _thread.RLock object owner=" + std::to_string(get_ident()) + " count=2 at 0x") == 0);
    rlock.release();
    rlock.release();
    CHECK(matches(rlock.repr(), "<unlocked _thread\\.RLock object owner=0 count=0 at 0x[0-9a-f]+>"));

    Condition condition;
    CHECK(matches(condition.repr(), "<Condition\\(<unlocked _thread\\.RLock object owner=0 count=0 at 0x[0-9a-f]+>, 0\\)>"));
    Condition over_lock(lock);
    CHECK(matches(over_lock.repr(), "<Condition\\(<unlocked _thread\\.lock object at 0x[0-9a-f]+>, 0\\)>"));

    Semaphore semaphore(3);
    CHECK(matches(semaphore.repr(), "<threading\\.Semaphore at 0x[0-9a-f]+: value=3>"));
    BoundedSemaphore bounded(3);
    bounded.acquire();
    CHECK(matches(bounded.repr(), "<threading\\.BoundedSemaphore at 0x[0-9a-f]+: value=2/3>"));
    Semaphore& as_base = bounded;
    CHECK(as_base.repr() == bounded.repr());

    Event event;
    CHECK(matches(event.repr(), "<threading\\.Event at 0x[0-9a-f]+: unset>"));
    event.set();
    CHECK(matches(event.repr(), "<threading\\.Event at 0x[0-9a-f]+: set>"));

    Barrier barrier(3);
    CHECK(matches(barrier.repr(), "<threading\\.Barrier at 0x[0-9a-f]+: waiters=0/3>"));
    barrier.abort();
    CHECK(matches(barrier.repr(), "<threading\\.Barrier at 0x[0-9a-f]+: broken>"));

    // The address is the object's, as id() is; and << prints the repr, as print() does.
    std::ostringstream text;
    text << event;
    CHECK(text.str() == event.repr());
    char address[32];
    std::snprintf(address, sizeof address, "%p", static_cast<void*>(&event));
    CHECK(event.repr().find(address) != std::string::npos);
    CHECK(str(lock) == lock.repr());
}

TEST_CASE("Condition repr counts its waiters") {
    Condition condition;
    Thread waiter{[&] {
        std::lock_guard hold(condition);
        condition.wait(30);
    }};
    waiter.start();
    CHECK(eventually([&] { return condition.repr().ends_with(", 1)>"); }));
    {
        std::lock_guard hold(condition);
        condition.notify();
    }
    waiter.join();
    CHECK(condition.repr().ends_with(", 0)>"));
}
