// threadlab/deadlock.hpp - an opt-in deadlock detector (a C++ extension: Python has none).
//
// A DeadlockDetector is an observer of the event stream (events.hpp) plus a watchdog thread. From
// the events it keeps a wait-for graph, and reports a cycle that has lasted about 200 ms (the
// same waits, none of them ended), within a second of the cycle forming, once per cycle:
//   - a thread waiting for a Lock or RLock waits for the thread that holds it (from
//     lock_acquired / lock_released: RLock levels count, a Lock may be released by any thread);
//   - a thread joining another waits for it;
//   - a thread waiting for a future's result waits for the worker that runs the task; if the
//     task is still queued on a pool whose workers are all running tasks, it waits for all of
//     them - the pool deadlock: a task on a one-worker pool calls result() on a future queued
//     behind it.
// Condition, Semaphore, Event, Barrier and wait()/as_completed() waits have no owner, so they are
// not part of the graph. A thread waiting for a plain Lock it holds itself is not reported (any
// other thread may release a Lock: that is a way to signal, not a deadlock).
//
// Message, with thread names and the objects' display names (set_name; else "<Lock at 0x...>"):
//   Deadlock: Thread-1 holds lock_a and waits for lock_b; Thread-2 holds lock_b and waits for lock_a
//   Deadlock: Thread-1 waits for Thread-2 to finish; Thread-2 waits for Thread-1 to finish
//   Deadlock: ThreadPoolExecutor-0_0 runs a task that waits for a future queued behind it on the
//             same pool (max_workers=1)
//   Deadlock: A waits for the result of a task running on B; B waits for the result of ... on A
//
// With break_cycles, every wait of a reported cycle ends by raising threadlab::DeadlockError
// (what(): the message): Lock/RLock acquire, join() and Future result()/exception() are
// interruptible while a detector that breaks cycles is installed. Locks held by those threads are
// released as their scopes unwind (std::lock_guard / std::unique_lock play Python's with-blocks),
// so the program can go on, and run the same deadlock again. Waits that must not throw are never
// interrupted: a Condition taking its lock back inside wait(), a pool's destructor joining its
// workers, the joins at program exit; a cycle through one of those is broken by its other waits.
//
// The detector sees only what happens while it is installed: install it before the threads start.
// With none installed nothing here costs anything (interruptible waits check one relaxed atomic,
// on a path that is about to sleep anyway).
#pragma once

#include "events.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace threadlab {

// One reported deadlock.
struct DeadlockReport {
    std::string message;                // "Deadlock: ..." (see above)
    std::vector<std::uint32_t> threads; // serials of the threads in the cycle, in cycle order
    std::vector<std::uint64_t> objects; // what each waits on (same order): a lock's id, a thread's
                                        // serial (join), a future's serial (result)
    std::vector<events::ObjectKind> kinds; // the kind of each of those waits (same order)
    double detected_at = 0;             // perf_counter() when it was reported
};

class DeadlockDetector final : public events::Observer {
public:
    struct Options {
        // End the waits of a reported cycle with DeadlockError (a C++ extension).
        bool break_cycles = false;
        // Called once per cycle on the watchdog thread (keep it short; it should not use
        // Threadlab primitives: the watchdog is not a Threadlab thread). Default: print the
        // message and a newline on stderr.
        std::function<void(const DeadlockReport&)> on_deadlock = {};
        // How long a cycle must last before it is reported, and how often the watchdog looks.
        double persist_seconds = 0.2;
        double poll_seconds = 0.05;
    };

    // Installs itself as an observer and starts the watchdog.
    explicit DeadlockDetector(Options options);
    DeadlockDetector() : DeadlockDetector(Options{}) {}
    // Stops the watchdog and removes the observer.
    ~DeadlockDetector() override;
    DeadlockDetector(const DeadlockDetector&) = delete;
    DeadlockDetector& operator=(const DeadlockDetector&) = delete;

    // Every deadlock reported so far, oldest first.
    std::vector<DeadlockReport> reports() const;

    void on_event(const events::Event& event) noexcept override;

private:
    struct State;
    std::unique_ptr<State> state_;
};

namespace detail {
// One thread's wait in a cycle, as the sim scheduler's all-asleep report knows it: a Lock or RLock
// (its address and name), a thread's end (kind thread) or a future's result (kind future, its
// serial). `next` is the thread it waits for.
struct WaitForLink {
    std::uint64_t thread = 0;
    std::string thread_name;
    events::ObjectKind kind = events::ObjectKind::lock;
    std::uint64_t object = 0;
    std::string object_name;
    std::uint64_t next = 0;
    std::uint64_t queued_on = 0;    // a future whose task is still queued on this pool (executor id)
    bool is_worker_of_pool = false; // ... and `thread` is a worker of that pool
};
// The detector's message for that cycle: "Deadlock: Thread-1 holds lock_a and waits for lock_b; ...".
std::string deadlock_message(const std::vector<WaitForLink>& cycle);
} // namespace detail

} // namespace threadlab
