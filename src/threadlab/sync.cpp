// Lock, RLock, Condition, Semaphore, BoundedSemaphore, Event, Barrier.
//
// [SECTION] Lock, RLock
// [SECTION] Condition
// [SECTION] Semaphore
// [SECTION] Event
// [SECTION] Barrier
#include "sync.hpp"

#include "internal.hpp"

#include <algorithm>
#include <limits>

namespace threadlab {

namespace {
// Python's checks of acquire(blocking, timeout) for Lock and RLock.
std::optional<Clock::time_point> lock_deadline(bool blocking, double timeout) {
    if (timeout == -1) return std::nullopt;
    detail::check_seconds(timeout); // NaN, too large: Python converts the timeout first
    if (!blocking) throw ValueError("can't specify a timeout for a non-blocking call");
    if (timeout < 0) throw ValueError("timeout value must be a non-negative number");
    return detail::deadline_after(timeout);
}

using events::detail::reported_wait;
} // namespace

// [SECTION] Lock, RLock -------------------------------------------------------------------------

bool Lock::acquire_checked(bool blocking, double timeout) {
    auto deadline = lock_deadline(blocking, timeout);
    int expected = unlocked;
    bool acquired = state_.compare_exchange_strong(expected, locked_alone, std::memory_order_acquire);
    if (!acquired && blocking) {
        if (!events::detail::observed() || !reports_) {
            acquired = acquire_slow(deadline);
            if (acquired) note_holder();
            return acquired;
        }
        events::detail::WaitScope wait(events::ObjectKind::lock, events::detail::object_id(this), display_name());
        acquired = acquire_slow(deadline);
        wait.end(acquired);
    }
    if (acquired) note_holder();
    if (acquired && events::detail::observed()) report(events::Kind::lock_acquired);
    return acquired;
}

void Lock::report(events::Kind kind) {
    if (reports_) events::detail::emit(kind, events::ObjectKind::lock, events::detail::object_id(this), display_name());
}

// Reported before the lock is free: the next owner's lock_acquired comes after it in the stream.
void Lock::release_observed() {
    if (state_.load(std::memory_order_relaxed) != unlocked) report(events::Kind::lock_released);
    int expected = locked_alone;
    if (!state_.compare_exchange_strong(expected, unlocked, std::memory_order_release)) release_contended(expected);
}

bool Lock::acquire_slow(const std::optional<Clock::time_point>& deadline) {
    // A short spin first: most hold times are shorter than a sleep and a wake-up.
    for (int spin = 0; spin < 64; ++spin) {
        int expected = unlocked;
        if (state_.load(std::memory_order_relaxed) == unlocked &&
            state_.compare_exchange_weak(expected, locked_alone, std::memory_order_acquire))
            return true;
        detail::yield_now();
    }
    // Marking the lock contended (2) makes the next release() wake a sleeper; whoever swaps a 2
    // in over a 0 owns the lock. A deadlock detector that breaks cycles may end the wait with
    // DeadlockError (the lock stays marked contended, which only costs its holder a notify).
    detail::InterruptibleWait interruptible(released_, mutex_);
#ifdef THREADLAB_SIM
    // Not a Condition's own waiter locks (quiet); an RLock's lock waits as that RLock.
    using events::ObjectKind, events::detail::object_id;
    std::optional<detail::sim::WaitNote> note;
    if (reports_) note.emplace(ObjectKind::lock, object_id(this), display_name(), &holder_);
    if (rlock_) note.emplace(ObjectKind::rlock, object_id(rlock_), rlock_->display_name(), &holder_);
#endif
    std::unique_lock lock(mutex_);
    for (;;) {
        // Interrupted first: every wait of a broken cycle raises, even one whose lock another
        // wait of the cycle has just let go by raising.
        interruptible.throw_if_interrupted();
        if (state_.exchange(locked_contended, std::memory_order_acquire) == unlocked) return true;
        if (!deadline) {
            released_.wait(lock);
        } else if (released_.wait_until(lock, *deadline) == std::cv_status::timeout) {
            return state_.exchange(locked_contended, std::memory_order_acquire) == unlocked;
        }
    }
}

void Lock::release_contended(int state) {
    if (state == unlocked) throw RuntimeError("release unlocked lock");
    // Someone sleeps. Once the state says unlocked, a waiter may take the lock and destroy it
    // (Condition's waiter locks live on the waiter's stack), so the destructor waits for us.
    releases_in_flight_.fetch_add(1, std::memory_order_relaxed);
    state_.exchange(unlocked, std::memory_order_release);
    {
        std::lock_guard lock(mutex_);
        released_.notify_one();
    }
    releases_in_flight_.fetch_sub(1, std::memory_order_release);
}

Lock::~Lock() {
    while (releases_in_flight_.load(std::memory_order_acquire) != 0) detail::yield_now();
}

std::string Lock::repr() const {
    return std::string(locked() ? "<locked" : "<unlocked") + " _thread.lock object at " + detail::address_text(this) + ">";
}

bool RLock::acquire_checked(bool blocking, double timeout) {
    auto me = detail::this_ident();
    if (owner_.load(std::memory_order_relaxed) == me) {
        lock_deadline(blocking, timeout); // the same argument checks as a first acquire
        count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return true;
    }
    if (!lock_.acquire(blocking, timeout)) return false;
    owner_.store(me, std::memory_order_relaxed);
    count_.store(1, std::memory_order_relaxed);
    return true;
}

bool RLock::acquire_observed(bool blocking, double timeout) {
    lock_deadline(blocking, timeout); // Python's argument checks, before anything else
    if (owner_.load(std::memory_order_relaxed) != detail::this_ident()) {
        if (!lock_.acquire(false)) {
            if (!blocking) return false;
            events::detail::WaitScope wait(events::ObjectKind::rlock, events::detail::object_id(this), display_name());
            bool acquired = lock_.acquire(blocking, timeout);
            wait.end(acquired);
            if (!acquired) return false;
        }
        owner_.store(detail::this_ident(), std::memory_order_relaxed);
        count_.store(1, std::memory_order_relaxed);
    } else {
        count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    report(events::Kind::lock_acquired, count_.load(std::memory_order_relaxed));
    return true;
}

void RLock::report(events::Kind kind, std::size_t level) {
    events::detail::emit(kind, events::ObjectKind::rlock, events::detail::object_id(this), display_name(),
                         static_cast<std::int64_t>(level));
}

void RLock::throw_not_owned() { throw RuntimeError("cannot release un-acquired lock"); }

std::size_t RLock::release_save() {
    if (!is_owned()) throw_not_owned();
    std::size_t count = count_.load(std::memory_order_relaxed);
    if (events::detail::observed()) report(events::Kind::lock_released, 0);
    count_.store(0, std::memory_order_relaxed);
    owner_.store(0, std::memory_order_relaxed);
    lock_.release();
    return count;
}

void RLock::acquire_restore(std::size_t count) {
    if (!events::detail::observed()) {
        lock_.acquire();
    } else if (!lock_.acquire(false)) {
        events::detail::WaitScope wait(events::ObjectKind::rlock, events::detail::object_id(this), display_name());
        lock_.acquire();
        wait.end(true);
    }
    owner_.store(detail::this_ident(), std::memory_order_relaxed);
    count_.store(count, std::memory_order_relaxed);
    if (events::detail::observed()) report(events::Kind::lock_acquired, count);
}

std::string RLock::repr() const {
    std::size_t count = count_.load(std::memory_order_relaxed);
    return std::string(count ? "<locked" : "<unlocked") + " _thread.RLock object owner=" +
           std::to_string(owner_.load(std::memory_order_relaxed)) + " count=" + std::to_string(count) + " at " +
           detail::address_text(this) + ">";
}

// [SECTION] Condition ---------------------------------------------------------------------------

Condition::Condition() : own_lock_(std::make_unique<RLock>()), lock_(own_lock_.get()) {}
Condition::Condition(Lock& lock) : lock_(&lock) {}
Condition::Condition(RLock& lock) : lock_(&lock) {}

bool Condition::acquire(bool blocking, double timeout) {
    return std::visit([&](auto* lock) { return lock->acquire(blocking, timeout); }, lock_);
}

void Condition::release() {
    std::visit([](auto* lock) { lock->release(); }, lock_);
}

bool Condition::is_owned() const {
    if (auto* rlock = std::get_if<RLock*>(&lock_)) return (*rlock)->is_owned();
    // Python's Condition._is_owned for a plain Lock: held by someone if it cannot be taken now.
    Lock* lock = std::get<Lock*>(lock_);
    if (lock->acquire(false)) {
        lock->release();
        return false;
    }
    return true;
}

std::size_t Condition::release_save() {
    if (auto* rlock = std::get_if<RLock*>(&lock_)) return (*rlock)->release_save();
    std::get<Lock*>(lock_)->release();
    return 0;
}

void Condition::acquire_restore(std::size_t saved) {
    // Never interrupted: wait() must return with the lock held, or the caller's with-block would
    // release a lock it does not hold. A cycle through it is broken by its other waits.
    detail::NoInterrupts not_here;
    if (auto* rlock = std::get_if<RLock*>(&lock_))
        (*rlock)->acquire_restore(saved);
    else
        std::get<Lock*>(lock_)->acquire();
}

bool Condition::wait(Timeout timeout) {
    if (timeout) detail::check_seconds(*timeout);
    if (!is_owned()) throw RuntimeError("cannot wait on un-acquired lock");
    // Python's design: each waiter sleeps on a lock of its own, which notify() releases.
    Lock waiter{detail::QuietLock{}};
    waiter.acquire();
    {
        std::lock_guard guard(waiters_mutex_);
        waiters_.push_back(&waiter);
    }
    // Announced before the lock is given up (a wait of 0 does not block, and is not announced).
    const bool blocks = !timeout || *timeout > 0;
    std::optional<events::detail::WaitScope> wait;
    if (blocks && events::detail::observed())
        wait.emplace(events::ObjectKind::condition, events::detail::object_id(this), display_name());
    std::size_t saved = release_save();
    bool notified = false;
    if (!timeout)
        notified = waiter.acquire();
    else if (*timeout > 0)
        notified = waiter.acquire(true, *timeout);
    else
        notified = waiter.acquire(false);
    if (wait) wait->end(notified);
    acquire_restore(saved);
    if (!notified) {
        // notify() releases waiter locks under waiters_mutex_, so once this returns no notifier
        // still touches `waiter`.
        std::lock_guard guard(waiters_mutex_);
        std::erase(waiters_, &waiter);
    }
    return notified;
}

void Condition::notify(std::size_t n) {
    if (!is_owned()) throw RuntimeError("cannot notify on un-acquired lock");
    std::size_t woken = 0;
    {
        std::lock_guard guard(waiters_mutex_);
        woken = std::min(n, waiters_.size());
    }
    // Reported before any waiter wakes, so the stream has notified before the waiter's wait_end
    // (the timeline draws the hand-off from it). Not under waiters_mutex_: observers may block.
    if (events::detail::observed())
        events::detail::emit(events::Kind::notified, events::ObjectKind::condition, events::detail::object_id(this),
                             display_name(), static_cast<std::int64_t>(woken));
    std::lock_guard guard(waiters_mutex_);
    for (; woken > 0 && !waiters_.empty(); --woken) {
        Lock* waiter = waiters_.front();
        waiters_.pop_front();
        waiter->release();
    }
}

void Condition::notify_all() { notify(std::numeric_limits<std::size_t>::max()); }

std::string Condition::repr() const {
    std::string lock = std::visit([](auto* held) { return held->repr(); }, lock_);
    std::lock_guard guard(waiters_mutex_);
    return "<Condition(" + lock + ", " + std::to_string(waiters_.size()) + ")>";
}

// [SECTION] Semaphore ---------------------------------------------------------------------------

Semaphore::Semaphore(long long value) : value_(value) {
    if (value < 0) throw ValueError("semaphore initial value must be >= 0");
}

bool Semaphore::acquire(bool blocking, Timeout timeout) {
    if (!blocking && timeout) throw ValueError("can't specify timeout for non-blocking acquire");
    std::unique_lock lock(mutex_);
    if (blocking) {
        ++waiting_;
        reported_wait(available_, lock, detail::deadline_after(timeout), [&] { return value_ > 0; }, object_kind(),
                      events::detail::object_id(this), display_name());
        --waiting_;
    }
    if (value_ == 0) return false;
    long long left = --value_;
    lock.unlock();
    if (events::detail::observed())
        events::detail::emit(events::Kind::lock_acquired, object_kind(), events::detail::object_id(this), display_name(), left);
    return true;
}

// n permits, waking as many waiters; reported after the lock is released (observers may block),
// so a waiter's lock_acquired may come before this release in the stream.
template <class Check> void Semaphore::add_permits(long long n, Check check) {
    if (n < 1) throw ValueError("n must be one or more");
    // Copied first: once unlocked, a waiter that took the permit may destroy the semaphore.
    const auto kind = object_kind();
    const auto id = events::detail::object_id(this);
    const std::string_view name = display_name();
    bool wakes = false;
    {
        std::lock_guard lock(mutex_); // notify under the lock, as Event::set does
        check();
        value_ += n;
        wakes = waiting_ > 0;
        if (n == 1)
            available_.notify_one();
        else
            available_.notify_all();
    }
    if (!events::detail::observed()) return;
    events::detail::emit(events::Kind::lock_released, kind, id, name, n);
    if (wakes) events::detail::emit(events::Kind::notified, kind, id, name, n);
}

void Semaphore::release(long long n) {
    add_permits(n, [&] {
        if (n > std::numeric_limits<long long>::max() - value_) throw OverflowError("Semaphore value too large");
    });
}

long long Semaphore::value() const {
    std::lock_guard lock(mutex_);
    return value_;
}

std::string Semaphore::repr() const {
    return "<threading.Semaphore at " + detail::address_text(this) + ": value=" + std::to_string(value()) + ">";
}

void BoundedSemaphore::release(long long n) {
    add_permits(n, [&] {
        if (n > initial_value_ - value_) throw ValueError("Semaphore released too many times"); // value_ <= initial
    });
}

std::string BoundedSemaphore::repr() const {
    return "<threading.BoundedSemaphore at " + detail::address_text(this) + ": value=" + std::to_string(value()) +
           "/" + std::to_string(initial_value_) + ">";
}

// [SECTION] Event -------------------------------------------------------------------------------

bool Event::is_set() const {
    std::lock_guard lock(mutex_);
    return flag_;
}

void Event::set() {
    // Reported first: once set, a waiter that wakes may destroy the Event.
    if (events::detail::observed())
        events::detail::emit(events::Kind::notified, events::ObjectKind::event, events::detail::object_id(this),
                             display_name());
    // Notify under the lock: a waiter that wakes may destroy the Event as soon as it returns.
    std::lock_guard lock(mutex_);
    flag_ = true;
    ++sets_;
    changed_.notify_all();
}

void Event::clear() {
    std::lock_guard lock(mutex_);
    flag_ = false;
}

bool Event::wait(Timeout timeout) {
    auto deadline = detail::deadline_after(timeout);
    std::unique_lock lock(mutex_);
    if (flag_) return true;
    // Python's waiter returns true once notified, even if clear() ran before it woke: watch the
    // count of set() calls, not the flag.
    const std::uint64_t sets_before = sets_;
    return reported_wait(changed_, lock, deadline, [&] { return sets_ != sets_before; }, events::ObjectKind::event,
                         events::detail::object_id(this), display_name());
}

std::string Event::repr() const {
    return "<threading.Event at " + detail::address_text(this) + (is_set() ? ": set>" : ": unset>");
}

// [SECTION] Barrier -----------------------------------------------------------------------------
// A port of Python's Barrier: filling -> draining (everyone released) -> filling again, with
// resetting and broken phases that make waiters raise BrokenBarrierError.

Barrier::Barrier(long long parties, std::function<void()> action, Timeout timeout)
    : parties_(parties), action_(std::move(action)), default_timeout_(timeout) {
    if (parties < 1) throw ValueError("parties must be >= 1");
}

long long Barrier::wait(Timeout timeout) {
    if (!timeout) timeout = default_timeout_;
    if (timeout) detail::check_seconds(*timeout);
    std::unique_lock lock(mutex_);
    enter(lock);
    long long index = count_.fetch_add(1);
    const bool last = index + 1 == parties_;
    try {
        if (last)
            release_all(lock);
        else
            wait_released(lock, timeout);
    } catch (...) {
        --count_;
        exit_one();
        throw;
    }
    --count_;
    exit_one();
    if (last && events::detail::observed()) {
        // Copied first: once unlocked, a released waiter may destroy the barrier (names are interned).
        std::string_view name = display_name();
        const long long parties = parties_;
        const auto id = events::detail::object_id(this);
        lock.unlock();
        events::detail::emit(events::Kind::notified, events::ObjectKind::barrier, id, name, parties);
    }
    return index;
}

void Barrier::enter(detail::UniqueLock& lock) {
    changed_.wait(lock, [&] { return phase_ != Phase::draining && phase_ != Phase::resetting; });
    if (phase_ == Phase::broken) throw BrokenBarrierError();
}

void Barrier::release_all(detail::UniqueLock&) {
    try {
        if (action_) action_();
    } catch (...) {
        break_barrier();
        throw;
    }
    phase_ = Phase::draining;
    changed_.notify_all();
}

void Barrier::wait_released(detail::UniqueLock& lock, Timeout timeout) {
    auto released = [&] { return phase_ != Phase::filling; };
    auto passed = [&](bool satisfied) { return satisfied && phase_ == Phase::draining; };
    if (!reported_wait(changed_, lock, detail::deadline_after(timeout), released, passed, events::ObjectKind::barrier,
                       events::detail::object_id(this), display_name())) {
        break_barrier();
        throw BrokenBarrierError();
    }
    if (phase_ == Phase::broken || phase_ == Phase::resetting) throw BrokenBarrierError();
}

void Barrier::exit_one() {
    if (count_ == 0 && (phase_ == Phase::resetting || phase_ == Phase::draining)) {
        phase_ = Phase::filling;
        changed_.notify_all();
    }
}

void Barrier::break_barrier() {
    phase_ = Phase::broken;
    changed_.notify_all();
}

void Barrier::reset() {
    std::lock_guard lock(mutex_);
    if (count_ > 0) {
        if (phase_ == Phase::filling || phase_ == Phase::broken) phase_ = Phase::resetting;
    } else {
        phase_ = Phase::filling;
    }
    changed_.notify_all();
}

void Barrier::abort() {
    std::lock_guard lock(mutex_);
    break_barrier();
}

long long Barrier::n_waiting() const { return phase_ == Phase::filling ? count_.load() : 0; }

bool Barrier::broken() const { return phase_ == Phase::broken; }

std::string Barrier::repr() const {
    std::string head = "<threading.Barrier at " + detail::address_text(this);
    if (broken()) return head + ": broken>";
    return head + ": waiters=" + std::to_string(n_waiting()) + "/" + std::to_string(parties_) + ">";
}

} // namespace threadlab
