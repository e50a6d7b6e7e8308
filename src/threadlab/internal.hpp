// Private to the library's .cpp files: how the pieces reach one another.
#pragma once

#include "timing.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace threadlab::detail {
// Threadlab's serial of the calling thread (a Dummy thread is made for foreign threads).
std::uint32_t current_thread_serial();
// True once normal program exit began joining threads (Python's interpreter shutdown).
bool interpreter_shutting_down();
// At exit, before non-daemon threads are joined: let every live pool's workers finish and leave.
void shutdown_executors_at_exit();

// Poll ready() for up to about `budget` before the caller goes to sleep: a futex sleep and
// wake-up costs several microseconds (more on a VM), longer than a trivial pool task takes.
template <class Ready> bool spin_until(Ready ready, std::chrono::microseconds budget = std::chrono::microseconds(20)) {
    if constexpr (simulated) return ready(); // one OS thread: nothing else runs while this one spins
    const auto start = Clock::now();
    for (unsigned i = 0;; ++i) {
        if (ready()) return true;
        if (i % 16 == 15) {
            if (Clock::now() - start > budget) return false;
            detail::yield_now(); // let the thread we wait for run, on a machine with few cores
        }
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}
} // namespace threadlab::detail

// [SECTION] Interruptible waits (deadlock.hpp's break_cycles) ----------------------------------
// The blocking waits that can be part of a deadlock - Lock/RLock acquire, join, Future result -
// register the condition variable they sleep on, so that interrupt() can end them with
// DeadlockError. Other waits (Condition, Semaphore, Event, Barrier, wait/as_completed) have no
// owner to wait for, are never part of a cycle, and are not interruptible.
namespace threadlab::detail {
// How many installed detectors break cycles; while 0, InterruptibleWait does nothing (one
// relaxed load, on a path that is about to sleep anyway).
inline std::atomic<int> interrupts_enabled{0};
inline bool interrupts_possible() { return interrupts_enabled.load(std::memory_order_relaxed) > 0; }

// Declare it BEFORE taking `mutex` and keep it alive for the whole wait: the wait's predicate
// includes interrupted(), and throw_if_interrupted() is called with `mutex` held (it only reads
// an atomic and this object). interrupt() locks `mutex` before it notifies, so no wake-up is lost;
// registration and removal therefore must never happen with `mutex` held.
class InterruptibleWait {
public:
    InterruptibleWait(detail::CondVar& cv, detail::Mutex& mutex);
    ~InterruptibleWait();
    InterruptibleWait(const InterruptibleWait&) = delete;
    InterruptibleWait& operator=(const InterruptibleWait&) = delete;
    bool interrupted() const { return registered_ && flag_.load(std::memory_order_acquire); }
    void throw_if_interrupted() const; // DeadlockError(message) once interrupted

private:
    friend bool interrupt(std::uint32_t serial, const std::string& message);
    detail::CondVar* cv_;
    detail::Mutex* mutex_;
    std::uint32_t serial_ = 0;
    bool registered_ = false;
    InterruptibleWait* previous_ = nullptr; // an outer registered wait of the same thread (none today)
    std::atomic<bool> flag_{false};
    std::string message_; // written once, before flag_ is set
};

// Waits that must not throw (a pool's destructor joining its workers, a Condition taking its
// lock back, joins at exit) run inside this scope: they are not interruptible.
class NoInterrupts {
public:
    NoInterrupts();
    ~NoInterrupts();
    NoInterrupts(const NoInterrupts&) = delete;
    NoInterrupts& operator=(const NoInterrupts&) = delete;
};

// End the interruptible wait the thread with this serial is in now: it raises
// DeadlockError(message). False if that thread is not in one (it may not have registered yet:
// the caller tries again later).
bool interrupt(std::uint32_t serial, const std::string& message);

// The max_workers of the live ThreadPoolExecutor whose events carry this id (0 if none).
int executor_max_workers(std::uint64_t executor_id);
} // namespace threadlab::detail
