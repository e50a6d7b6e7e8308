// bench/lock_bench.cpp - Lock, RLock, Condition and Event against the standard library.
//
// locks.uncontended.lock    acquire + release in one thread: Lock vs std::mutex
// locks.uncontended.rlock   the same, RLock vs std::recursive_mutex (and nested: twice, then twice)
// locks.contended.*         2 threads each increment a shared counter N times under the lock
// handoff.condition         ping-pong between 2 threads: wait for my turn, pass the turn, notify
//                           (Condition over a Lock vs std::mutex + std::condition_variable)
// handoff.event             ping-pong with two Events (set / wait / clear) vs the same protocol on
//                           a flag + std::mutex + std::condition_variable
#include "lock_loops.hpp"
#include "workloads.hpp"

#include <threadlab/threadlab.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace bench {
namespace {

// acquire/release as the Python program spells them (with lock: ... is the same two calls).
struct LockOps {
    threadlab::Lock& l;
    void lock() { l.acquire(); }
    void unlock() { l.release(); }
};
struct RLockOps {
    threadlab::RLock& l;
    void lock() { l.acquire(); }
    void unlock() { l.release(); }
};

template <class M> double nested(M& m, int n) {
    return time_s([&] {
        long counter = 0;
        for (int i = 0; i < n; ++i) {
            m.lock();
            m.lock();
            ++counter;
            m.unlock();
            m.unlock();
        }
        counter_sink = counter;
    });
}

double condition_pingpong(int n) {
    threadlab::Lock lock;
    threadlab::Condition cond(lock);
    int turn = 0;
    auto player = [&](int me) {
        for (int i = 0; i < n; ++i) {
            std::unique_lock guard(cond);
            cond.wait_for([&] { return turn == me; });
            turn = 1 - me;
            cond.notify();
        }
    };
    return time_s([&] {
        std::thread other(player, 1);
        player(0);
        other.join();
    });
}

double std_cv_pingpong(int n) {
    std::mutex mutex;
    std::condition_variable cv;
    int turn = 0;
    auto player = [&](int me) {
        for (int i = 0; i < n; ++i) {
            std::unique_lock guard(mutex);
            cv.wait(guard, [&] { return turn == me; });
            turn = 1 - me;
            cv.notify_one();
        }
    };
    return time_s([&] {
        std::thread other(player, 1);
        player(0);
        other.join();
    });
}

// What an Event is when written with the standard library.
class StdEvent {
public:
    void set() {
        {
            std::lock_guard lock(mutex_);
            flag_ = true;
        }
        cv_.notify_all();
    }
    void clear() {
        std::lock_guard lock(mutex_);
        flag_ = false;
    }
    void wait() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return flag_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool flag_ = false;
};

template <class E> double event_pingpong(int n) {
    E ping, pong;
    return time_s([&] {
        std::thread other([&] {
            for (int i = 0; i < n; ++i) {
                ping.wait();
                ping.clear();
                pong.set();
            }
        });
        for (int i = 0; i < n; ++i) {
            ping.set();
            pong.wait();
            pong.clear();
        }
        other.join();
    });
}

} // namespace

void lock_workloads(const Config& config) {
    // glibc lets std::mutex skip its atomic instructions while the process has never started a
    // thread. A program that needs locks has threads, so measure both sides in that state, the
    // same whether or not other workloads ran before (--only).
    std::thread([] {}).join();
    const int n = config.quick ? 10000 : 5000000;
    const int rounds = config.quick ? 1 : 2 * config.rounds + 1; // cheap groups: more rounds
    {
        threadlab::Lock lock;
        LockOps ops{lock};
        std::mutex mutex;
        run_group(config, "locks.uncontended.lock", n,
                  {{"threadlab", [&] { return uncontended(ops, n); }}, {"std_mutex", [&] { return uncontended(mutex, n); }}},
                  true, rounds);
    }
    {
        threadlab::RLock rlock;
        RLockOps ops{rlock};
        std::recursive_mutex mutex;
        run_group(config, "locks.uncontended.rlock", n,
                  {{"threadlab", [&] { return uncontended(ops, n); }}, {"std_recursive_mutex", [&] { return uncontended(mutex, n); }}},
                  true, rounds);
        run_group(config, "locks.uncontended.rlock_nested", n,
                  {{"threadlab", [&] { return nested(ops, n); }}, {"std_recursive_mutex", [&] { return nested(mutex, n); }}},
                  true, rounds);
    }
    const int c = config.quick ? 10000 : 1000000;
    {
        threadlab::Lock lock;
        LockOps ops{lock};
        std::mutex mutex;
        run_group(config, "locks.contended.lock", 2.0 * c,
                  {{"threadlab", [&] { return contended(ops, c); }}, {"std_mutex", [&] { return contended(mutex, c); }}}, true,
                  rounds);
    }
    {
        threadlab::RLock rlock;
        RLockOps ops{rlock};
        std::recursive_mutex mutex;
        run_group(config, "locks.contended.rlock", 2.0 * c,
                  {{"threadlab", [&] { return contended(ops, c); }}, {"std_recursive_mutex", [&] { return contended(mutex, c); }}},
                  true, rounds);
    }
    const int h = config.quick ? 1000 : 20000;
    run_group(config, "handoff.condition", h,
              {{"threadlab", [=] { return condition_pingpong(h); }}, {"std_condition_variable", [=] { return std_cv_pingpong(h); }}});
    run_group(config, "handoff.event", h,
              {{"threadlab", [=] { return event_pingpong<threadlab::Event>(h); }},
               {"std_condition_variable", [=] { return event_pingpong<StdEvent>(h); }}});
}

} // namespace bench
