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
// Every timeout goes through detail::check_seconds: NaN is a ValueError, more than TIMEOUT_MAX an
// OverflowError. repr() (and operator<<) print what CPython 3.11 prints.
//
// Every primitive reports to the event stream (events.hpp): a wait_begin/wait_end pair only when
// a call actually blocks, lock_acquired/lock_released, notified. set_name()/name() give an object
// a display name for those events (a C++ extension; repr() does not show it). The uncontended
// paths stay one atomic operation plus one relaxed load of "is anyone observing?".
#pragma once

#include "errors.hpp"
#include "events.hpp"
#include "repr.hpp"
#include "timing.hpp"

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <variant>

namespace threadlab {

namespace detail {
// A Lock used inside another primitive (RLock's, Condition's waiters): it reports nothing, its
// owner reports for it.
struct QuietLock {};
} // namespace detail

// [SECTION] Lock, RLock -------------------------------------------------------------------------

// threading.Lock: not owned by a thread, so any thread may release it (unlike std::mutex).
// Uncontended acquire/release is one atomic exchange each.
class Lock : public events::detail::Named {
public:
    Lock() = default;
    explicit Lock(detail::QuietLock) : reports_(false) {}
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    // ValueError for a timeout with blocking=false, or a negative timeout other than -1.
    // The common call, acquire() of a free lock, is one inline compare-exchange.
    bool acquire(bool blocking = true, double timeout = -1) {
        detail::scheduling_point(); // sim: another thread may take the lock first
        if (blocking && timeout == -1) {
            int expected = unlocked;
            if (state_.compare_exchange_strong(expected, locked_alone, std::memory_order_acquire)) {
                note_holder();
                if (events::detail::observed()) [[unlikely]]
                    report(events::Kind::lock_acquired);
                return true;
            }
        }
        return acquire_checked(blocking, timeout);
    }
    // RuntimeError("release unlocked lock") when not locked.
    void release() {
#ifdef THREADLAB_SIM
        holder_ = 0;
#endif
        if (events::detail::observed()) [[unlikely]]
            return release_observed();
        int expected = locked_alone;
        if (!state_.compare_exchange_strong(expected, unlocked, std::memory_order_release)) release_contended(expected);
    }
    bool locked() const { return state_.load(std::memory_order_relaxed) != unlocked; }

    void lock() { acquire(); }
    void unlock() { release(); }
    bool try_lock() { return acquire(false); }

    // <unlocked _thread.lock object at 0x7f...>
    std::string repr() const;

private:
    enum : int { unlocked = 0, locked_alone = 1, locked_contended = 2 };
    bool acquire_checked(bool blocking, double timeout);
    bool acquire_slow(const std::optional<Clock::time_point>& deadline);
    void release_contended(int state);
    void release_observed();
    void report(events::Kind kind);
#ifdef THREADLAB_SIM
    // Who holds it, for the all-asleep report's wait-for chain (one OS thread: a plain field).
    std::uint64_t holder_ = 0;
    void note_holder() { holder_ = detail::this_ident(); }
    // The RLock this lock is the inside of: a wait for it is reported as a wait for that RLock.
    const class RLock* rlock_ = nullptr;
    friend class RLock;
#else
    void note_holder() {}
#endif
    const bool reports_ = true; // false for a QuietLock
    std::atomic<int> state_{unlocked};
    std::atomic<int> releases_in_flight_{0}; // contended release() calls still notifying
    detail::Mutex mutex_;                       // only for sleeping waiters
    detail::CondVar released_;
};

// threading.RLock: the owning thread may acquire it again; it must release as often.
class RLock : public events::detail::Named {
public:
    RLock() {
#ifdef THREADLAB_SIM
        lock_.rlock_ = this;
#endif
    }
    RLock(const RLock&) = delete;
    RLock& operator=(const RLock&) = delete;

    // Inline for the common call, acquire() with Python's defaults.
    bool acquire(bool blocking = true, double timeout = -1) {
        if (events::detail::observed()) [[unlikely]]
            return acquire_observed(blocking, timeout);
        if (!(blocking && timeout == -1)) return acquire_checked(blocking, timeout);
        auto me = detail::this_ident();
        if (owner_.load(std::memory_order_relaxed) == me) {
            count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        } else {
            lock_.acquire();
            owner_.store(me, std::memory_order_relaxed);
            count_.store(1, std::memory_order_relaxed);
        }
        return true;
    }
    // RuntimeError("cannot release un-acquired lock") unless the caller owns it.
    void release() {
        if (!is_owned()) throw_not_owned();
        if (events::detail::observed()) [[unlikely]]
            report(events::Kind::lock_released, count_.load(std::memory_order_relaxed) - 1);
        std::size_t left = count_.load(std::memory_order_relaxed) - 1;
        count_.store(left, std::memory_order_relaxed);
        if (left == 0) {
            owner_.store(0, std::memory_order_relaxed);
            lock_.release();
        }
    }
    bool locked() const { return lock_.locked(); }

    void lock() { acquire(); }
    void unlock() { release(); }
    bool try_lock() { return acquire(false); }

    // For Condition: whether the caller owns it; release it fully and restore it.
    bool is_owned() const { return owner_.load(std::memory_order_relaxed) == detail::this_ident(); }
    std::size_t release_save();
    void acquire_restore(std::size_t count);

    // <locked _thread.RLock object owner=140234 count=2 at 0x7f...> (owner: the holder's get_ident())
    std::string repr() const;

private:
    bool acquire_checked(bool blocking, double timeout);
    bool acquire_observed(bool blocking, double timeout);
    void report(events::Kind kind, std::size_t level);
    [[noreturn]] static void throw_not_owned();
    Lock lock_{detail::QuietLock{}};
    friend class Lock; // its name, for a wait on lock_
    // Written by the owner only; atomic so that repr() from any thread may read them.
    std::atomic<unsigned long> owner_{0};
    std::atomic<std::size_t> count_{0};
};

// [SECTION] Condition ---------------------------------------------------------------------------

// threading.Condition(lock=None): over a Lock or an RLock given by reference, or an RLock of its
// own. Waiters are woken in the order they began to wait (Python's FIFO of waiter locks).
class Condition : public events::detail::Named {
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

    // <Condition(<unlocked _thread.RLock object owner=0 count=0 at 0x7f...>, 0)>: lock, waiters
    std::string repr() const;

private:
    bool is_owned() const;
    std::size_t release_save();
    void acquire_restore(std::size_t saved);

    std::unique_ptr<RLock> own_lock_;
    std::variant<Lock*, RLock*> lock_;
    mutable detail::Mutex waiters_mutex_;
    std::deque<Lock*> waiters_;
};

// [SECTION] Semaphore ---------------------------------------------------------------------------

// threading.Semaphore(value=1): ValueError("semaphore initial value must be >= 0").
class Semaphore : public events::detail::Named {
public:
    explicit Semaphore(long long value = 1);
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;
    virtual ~Semaphore() = default;

    bool acquire(bool blocking = true, Timeout timeout = std::nullopt);
    // ValueError("n must be one or more") for n < 1. Python's integers never overflow; a value
    // past LLONG_MAX raises OverflowError("Semaphore value too large") and releases nothing.
    virtual void release(long long n = 1);

    void lock() { acquire(); }
    void unlock() { release(); }
    bool try_lock() { return acquire(false); }

    long long value() const; // Python's private _value, for viewers and tests

    // <threading.Semaphore at 0x7f...: value=3>; a BoundedSemaphore adds "/initial value".
    virtual std::string repr() const;

protected:
    // release(n) of a permit, checked by `check` under the lock; reports after unlocking.
    template <class Check> void add_permits(long long n, Check check);
    virtual events::ObjectKind object_kind() const { return events::ObjectKind::semaphore; }
    mutable detail::Mutex mutex_;
    detail::CondVar available_;
    long long value_;
    long long waiting_ = 0; // threads asleep in acquire()
};

// threading.BoundedSemaphore: release above the initial value raises
// ValueError("Semaphore released too many times").
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(long long value = 1) : Semaphore(value), initial_value_(value) {}
    void release(long long n = 1) override;
    std::string repr() const override;

private:
    events::ObjectKind object_kind() const override { return events::ObjectKind::bounded_semaphore; }
    long long initial_value_;
};

// [SECTION] Event -------------------------------------------------------------------------------

class Event : public events::detail::Named {
public:
    bool is_set() const;
    // Wakes every waiter; each of them returns true, even if clear() runs before it wakes.
    void set();
    void clear();
    // True once set (or woken by set()), false if the timeout passed first.
    bool wait(Timeout timeout = std::nullopt);

    // <threading.Event at 0x7f...: unset>
    std::string repr() const;

private:
    mutable detail::Mutex mutex_;
    detail::CondVar changed_;
    bool flag_ = false;
    std::uint64_t sets_ = 0; // set() calls so far: a waiter that sees it change was notified
};

// [SECTION] Barrier -----------------------------------------------------------------------------

// threading.Barrier(parties, action=None, timeout=None). wait() returns an index from 0 to
// parties-1; one thread runs `action` before all are released. A timeout, abort() or an exception
// in the action breaks the barrier: waiters get BrokenBarrierError until reset().
class Barrier : public events::detail::Named {
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
    // Lock-free reads, as in Python, so that the action may call them.
    long long n_waiting() const;
    bool broken() const;

    // <threading.Barrier at 0x7f...: waiters=0/3>, or "...: broken>"
    std::string repr() const;

private:
    enum class Phase { filling, draining, resetting, broken };
    void enter(detail::UniqueLock& lock);
    void release_all(detail::UniqueLock& lock);
    void wait_released(detail::UniqueLock& lock, Timeout timeout);
    void exit_one();
    void break_barrier();

    mutable detail::Mutex mutex_;
    detail::CondVar changed_;
    long long parties_;
    std::function<void()> action_;
    Timeout default_timeout_;
    // Changed under mutex_; atomic so that n_waiting() and broken() need no lock.
    std::atomic<Phase> phase_{Phase::filling};
    std::atomic<long long> count_{0};
};

} // namespace threadlab
