// threadlab/sync.hpp - Python's synchronisation primitives.
//
// [SECTION] Lock, RLock          acquire(blocking, timeout), release, locked
// [SECTION] Condition            wait, wait_for, notify, notify_all
// [SECTION] Semaphore            and BoundedSemaphore
// [SECTION] Event                set, clear, is_set, wait
// [SECTION] Barrier              wait, reset, abort, parties, n_waiting, broken
//
// acquire() takes Python's arguments: blocking (default true) and timeout in seconds (-1: none).
// Lock, RLock, Condition and the semaphores also have lock()/unlock()/try_lock(), so that
// std::lock_guard and std::unique_lock play the role of Python's `with lock:`.
#pragma once

#include "errors.hpp"
#include "timing.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>

namespace threadlab {

// [SECTION] Lock, RLock -------------------------------------------------------------------------

// threading.Lock: not owned by a thread, so any thread may release it (unlike std::mutex).
// Uncontended acquire/release is one atomic exchange each.
class Lock {
public:
    Lock() = default;
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    // ValueError for a timeout with blocking=false, or a negative timeout other than -1.
    // The common call, acquire() of a free lock, is one inline compare-exchange.
    bool acquire(bool blocking = true, double timeout = -1) {
        if (blocking && timeout == -1) {
            int expected = unlocked;
            if (state_.compare_exchange_strong(expected, locked_alone, std::memory_order_acquire)) return true;
        }
        return acquire_checked(blocking, timeout);
    }
    // RuntimeError("release unlocked lock") when not locked.
    void release() {
        int expected = locked_alone;
        if (!state_.compare_exchange_strong(expected, unlocked, std::memory_order_release)) release_contended(expected);
    }
    bool locked() const { return state_.load(std::memory_order_relaxed) != unlocked; }

    void lock() { acquire(); }
    void unlock() { release(); }
    bool try_lock() { return acquire(false); }

private:
    enum : int { unlocked = 0, locked_alone = 1, locked_contended = 2 };
    bool acquire_checked(bool blocking, double timeout);
    bool acquire_slow(const std::optional<Clock::time_point>& deadline);
    void release_contended(int state);
    std::atomic<int> state_{unlocked};
    std::atomic<int> releases_in_flight_{0}; // contended release() calls still notifying
    std::mutex mutex_;                       // only for sleeping waiters
    std::condition_variable released_;
};

// threading.RLock: the owning thread may acquire it again; it must release as often.
class RLock {
public:
    RLock() = default;
    RLock(const RLock&) = delete;
    RLock& operator=(const RLock&) = delete;

    // Inline for the common call, acquire() with Python's defaults.
    bool acquire(bool blocking = true, double timeout = -1) {
        if (!(blocking && timeout == -1)) return acquire_checked(blocking, timeout);
        auto me = std::this_thread::get_id();
        if (owner_.load(std::memory_order_relaxed) == me) {
            ++count_;
        } else {
            lock_.acquire();
            owner_.store(me, std::memory_order_relaxed);
            count_ = 1;
        }
        return true;
    }
    // RuntimeError("cannot release un-acquired lock") unless the caller owns it.
    void release() {
        if (!is_owned()) throw_not_owned();
        if (--count_ == 0) {
            owner_.store(std::thread::id(), std::memory_order_relaxed);
            lock_.release();
        }
    }
    bool locked() const { return lock_.locked(); }

    void lock() { acquire(); }
    void unlock() { release(); }
    bool try_lock() { return acquire(false); }

    // For Condition: whether the caller owns it; release it fully and restore it.
    bool is_owned() const { return owner_.load(std::memory_order_relaxed) == std::this_thread::get_id(); }
    std::size_t release_save();
    void acquire_restore(std::size_t count);

private:
    bool acquire_checked(bool blocking, double timeout);
    [[noreturn]] static void throw_not_owned();
    Lock lock_;
    std::atomic<std::thread::id> owner_{};
    std::size_t count_ = 0;
};

// [SECTION] Condition ---------------------------------------------------------------------------

// threading.Condition(lock=None): over a Lock or an RLock given by reference, or an RLock of its
// own. Waiters are woken in the order they began to wait (Python's FIFO of waiter locks).
class Condition {
public:
    Condition();
    explicit Condition(Lock& lock);
    explicit Condition(RLock& lock);
    Condition(const Condition&) = delete;
    Condition& operator=(const Condition&) = delete;

    bool acquire(bool blocking = true, double timeout = -1);
    void release();
    void lock() { acquire(); }
    void unlock() { release(); }
    bool try_lock() { return acquire(false); }

    // Release the lock, wait for notify() or the timeout, re-acquire; false on timeout.
    // RuntimeError("cannot wait on un-acquired lock") unless the caller holds the lock.
    bool wait(Timeout timeout = std::nullopt);
    // Wait until predicate() is true or the timeout passes; returns the last predicate value.
    template <class Predicate> auto wait_for(Predicate predicate, Timeout timeout = std::nullopt) {
        auto deadline = detail::deadline_after(timeout);
        auto result = predicate();
        while (!result) {
            Timeout left = detail::remaining(deadline);
            if (left && *left <= 0) break;
            wait(left);
            result = predicate();
        }
        return result;
    }
    // RuntimeError("cannot notify on un-acquired lock") unless the caller holds the lock.
    void notify(std::size_t n = 1);
    void notify_all();

private:
    bool is_owned() const;
    std::size_t release_save();
    void acquire_restore(std::size_t saved);

    std::unique_ptr<RLock> own_lock_;
    std::variant<Lock*, RLock*> lock_;
    std::mutex waiters_mutex_;
    std::deque<Lock*> waiters_;
};

// [SECTION] Semaphore ---------------------------------------------------------------------------

// threading.Semaphore(value=1): ValueError("semaphore initial value must be >= 0").
class Semaphore {
public:
    explicit Semaphore(long long value = 1);
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;
    virtual ~Semaphore() = default;

    bool acquire(bool blocking = true, Timeout timeout = std::nullopt);
    // ValueError("n must be one or more") for n < 1.
    virtual void release(long long n = 1);

    void lock() { acquire(); }
    void unlock() { release(); }
    bool try_lock() { return acquire(false); }

    long long value() const; // Python's private _value, for viewers and tests

protected:
    mutable std::mutex mutex_;
    std::condition_variable available_;
    long long value_;
};

// threading.BoundedSemaphore: release above the initial value raises
// ValueError("Semaphore released too many times").
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(long long value = 1) : Semaphore(value), initial_value_(value) {}
    void release(long long n = 1) override;

private:
    long long initial_value_;
};

// [SECTION] Event -------------------------------------------------------------------------------

class Event {
public:
    bool is_set() const;
    void set();
    void clear();
    // True once set, false if the timeout passed first.
    bool wait(Timeout timeout = std::nullopt);

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool flag_ = false;
};

// [SECTION] Barrier -----------------------------------------------------------------------------

// threading.Barrier(parties, action=None, timeout=None). wait() returns an index from 0 to
// parties-1; one thread runs `action` before all are released. A timeout, abort() or an exception
// in the action breaks the barrier: waiters get BrokenBarrierError until reset().
class Barrier {
public:
    // ValueError("parties must be >= 1")
    explicit Barrier(long long parties, std::function<void()> action = nullptr,
                     Timeout timeout = std::nullopt);
    Barrier(const Barrier&) = delete;
    Barrier& operator=(const Barrier&) = delete;

    long long wait(Timeout timeout = std::nullopt);
    void reset();
    void abort();
    long long parties() const { return parties_; }
    long long n_waiting() const;
    bool broken() const;

private:
    enum class Phase { filling, draining, resetting, broken };
    void enter(std::unique_lock<std::mutex>& lock);
    void release_all(std::unique_lock<std::mutex>& lock);
    void wait_released(std::unique_lock<std::mutex>& lock, Timeout timeout);
    void exit_one();
    void break_barrier();

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    long long parties_;
    std::function<void()> action_;
    Timeout default_timeout_;
    Phase phase_ = Phase::filling;
    long long count_ = 0;
};

} // namespace threadlab
