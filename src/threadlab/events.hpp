// threadlab/events.hpp - one stream of what the library does, for viewers, exporters and checkers.
//
// [SECTION] Event          what happened, on which thread, to which object, when
// [SECTION] Observer       add_observer / remove_observer: called synchronously where it happens
// [SECTION] Recorder       an observer that keeps the newest events for readers that poll
// [SECTION] Io             announce a blocking download (or any IO) as a wait
// [SECTION] For the library emit points, WaitScope, display names
//
// The library reports threads created, named, started and finished; every wait that blocks,
// begun and ended, with the object waited on; locks acquired and released; notify/set; futures
// queued, running, done, failed and cancelled. Observers are called on the thread where the event
// happens, at the moment it happens, so they may block there (a GIL emulation releases a global
// lock at wait_begin and takes it back at wait_end). With no observer installed every emit point
// is one relaxed atomic load and a branch; building with THREADLAB_NO_EVENTS compiles them out
// (that define exists only to measure that cost, see BENCHMARKS.md).
//
// Rules for observers:
//  - on_event is noexcept, and must not throw.
//  - Events emitted inside an observer call (an observer that uses a Lock) are dropped: observers
//    never see their own doings, and never recurse. One exception: the GIL emulation, itself an
//    observer, reports the GIL's acquire/release/wait (ObjectKind::gil) to every other observer
//    through detail::emit_except; what those observers emit meanwhile is still dropped.
//  - The library emits with none of its internal mutexes held, so an observer may block, take
//    Threadlab locks, or wait; it must not wait for something only the event's thread can do.
#pragma once

#include "timing.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace threadlab::events {

// [SECTION] Event -------------------------------------------------------------------------------

enum class Kind : std::uint8_t {
    thread_created,  // object: the new thread's serial; name: its name
    thread_named,    // object: the thread's serial; name: its (new) name (at creation and set_name)
    thread_started,  // on the new thread, first thing (count 1); count 0: a thread already running
                     // (main, a dummy) announced when first seen
    thread_finished, // on the thread, last thing; ok=false if its target raised
    wait_begin,      // a call blocks: object and object_kind say on what
    wait_end,        // ok: acquired/notified/done; false: timed out, broken or raised. Io: count
                     // is the microseconds of the wait spent before the request went out (queued
                     // for a connection, connecting; 0: none or not known)
    lock_acquired,   // Lock, RLock (count: level after), Semaphore (count: value after)
    lock_released,   // Lock (maybe by another thread), RLock (count: level after), Semaphore (count: n)
    notified,        // Condition notify (count: waiters woken), Event set, Barrier release (count: parties)
    task_submitted,  // on the submitting thread; count: the executor's id (as work_queue's object)
    task_started,    // on the worker that runs it
    task_done,       // on the worker, before result() callers are woken
    task_failed,     // on the worker, before result() callers are woken
    task_cancelled,  // on the thread that cancelled it
};

enum class ObjectKind : std::uint8_t {
    none,
    lock,
    rlock,
    condition,
    semaphore,
    bounded_semaphore,
    event,
    barrier,
    thread,       // object: the thread's serial (join waits, thread_* events)
    future,       // object: the future's serial (result()/exception() waits, task_* events)
    futures_wait, // wait() / as_completed(): object identifies the call
    sleep,        // threadlab::sleep
    io,           // events::Io (a download): name says what
    work_queue,   // a pool worker waiting for work; object: the executor's id
    gil,          // the emulated GIL (gil.hpp): wait_begin/wait_end while a thread waits for it,
                  // lock_acquired/lock_released; name "GIL". Emitted from inside the GIL's own
                  // observer call and delivered to every other observer (detail::emit_except)
};

const char* kind_name(Kind kind);
const char* object_kind_name(ObjectKind kind);

struct Event {
    double time = 0;                       // perf_counter() seconds
    Kind kind = Kind::thread_created;
    ObjectKind object_kind = ObjectKind::none;
    bool ok = true;                        // wait_end, thread_finished: succeeded
    std::uint32_t thread = 0;              // serial of the thread the event happens on
    std::uint32_t submitter = 0;           // task events: serial of the thread that submitted it
    std::uint64_t object = 0;              // opaque id: a sync object's address, a thread or future serial
    std::uint64_t task = 0;                // the future's serial, for task events and future waits
    std::int64_t count = 0;                // see Kind
    std::string_view name;                 // display name (set_name), thread name, Io's label; valid
                                           // during on_event only (a Recorder's events: its lifetime)
    std::uint64_t seq = 0;                 // position in a Recorder's log (0 when delivered live)
};

// [SECTION] Observer ----------------------------------------------------------------------------

class Observer {
public:
    virtual ~Observer() = default; // remove_observer(this) before it is destroyed
    virtual void on_event(const Event& event) noexcept = 0;
};

// Up to 8 observers at once (RuntimeError beyond); adding one twice has no effect.
void add_observer(Observer* observer);
// Stops calls to `observer` and waits until none is still running on another thread, so it may
// be destroyed afterwards. Safe while threads emit. False if it was not installed.
// RuntimeError if called from inside an observer call (it could wait for itself).
bool remove_observer(Observer* observer);

// [SECTION] Recorder ----------------------------------------------------------------------------

// Keeps the newest `capacity` events; appending takes no lock (one atomic increment and a record
// written seqlock-style), so threads that record at once do not wait for one another. Names are
// copied into a table the recorder owns (up to 65,536 distinct ones), so recorded events'
// `name` stays valid as long as the Recorder. Its destructor removes it.
class Recorder final : public Observer {
public:
    explicit Recorder(std::size_t capacity = 1 << 16);
    ~Recorder() override;
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    void on_event(const Event& event) noexcept override;

    // Append the events with seq >= from to `out`; returns the seq to pass next time. Events
    // overwritten because the ring was full are skipped (the first one read may have seq > from).
    std::uint64_t read(std::uint64_t from, std::vector<Event>& out) const;
    // Forget all events (seq keeps counting up, so readers stay consistent). Names are kept.
    void clear();
    std::size_t capacity() const;
    // The name of the thread with this serial, from thread_created/thread_named events, else from
    // the live threads (threads named before the recorder was installed); empty if unknown.
    std::string thread_name(std::uint32_t serial) const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// [SECTION] Io ----------------------------------------------------------------------------------

// Io io(url); ...blocking download...; io.end(ok, connecting_s);  wait_begin/wait_end of kind io,
// named by `label` (which must outlive the scope). `connecting_s`: how much of the wait came before
// the request was sent (waiting for a free connection - a browser opens 6 per host - and opening
// it), so that a timeline can tell it from the server's answer. Without end(), the destructor ends
// it with ok=false.
class Io;

// [SECTION] For the library ---------------------------------------------------------------------

namespace detail {
#ifdef THREADLAB_NO_EVENTS
constexpr bool observed() { return false; }
#else
inline std::atomic<bool> any_observer{false};
// The one check every emit point makes first.
inline bool observed() { return any_observer.load(std::memory_order_relaxed); }
#endif

inline std::uint64_t object_id(const void* object) { return reinterpret_cast<std::uintptr_t>(object); }

// Stamp time and (if 0) the calling thread's serial, and call every observer. Call only when
// observed(), with no internal mutex held.
void emit(Event event) noexcept;
void emit(Kind kind, ObjectKind object_kind, std::uint64_t object, std::string_view name = {},
          std::int64_t count = 0, bool ok = true, std::uint64_t task = 0) noexcept;
void emit_task(Kind kind, std::uint64_t future_serial, std::uint32_t submitter, std::int64_t count = 0) noexcept;
// For an observer that must report its own doings (the GIL emulation): delivers `event` to every
// observer except `source`, even from inside an observer call. Keeps event.time if it is not 0
// (stamped under the emitter's own mutex, so that spans of different threads are ordered), and
// stamps the thread as emit() does. Events emitted by the receivers are dropped, as always.
void emit_except(const Observer* source, Event event) noexcept;

// wait_begin now (if observed), wait_end at end(ok) or, with ok=false, at destruction.
class WaitScope {
public:
    WaitScope(ObjectKind kind, std::uint64_t object, std::string_view name = {}, std::uint64_t task = 0) noexcept;
    ~WaitScope() { end(false); }
    WaitScope(const WaitScope&) = delete;
    WaitScope& operator=(const WaitScope&) = delete;
    void end(bool ok, std::int64_t count = 0) noexcept {
        if (active_) end_now(ok, count);
    }

private:
    void end_now(bool ok, std::int64_t count) noexcept;
    void emit_wait(Kind kind, bool ok, std::int64_t count = 0) const noexcept;
    bool active_ = false;
    ObjectKind kind_;
    std::uint64_t object_;
    std::string_view name_;
    std::uint64_t task_;
};

// cv.wait_until with an optional deadline (none: wait forever); the predicate's last value.
template <class Predicate>
bool wait_until(::threadlab::detail::CondVar& cv, ::threadlab::detail::UniqueLock& lock,
                const std::optional<Clock::time_point>& deadline, Predicate predicate) {
    if (!deadline) {
        cv.wait(lock, predicate);
        return true;
    }
    return cv.wait_until(lock, *deadline, predicate);
}

// wait_until, announced as a wait when it blocks. Observers may block, so the wait is announced
// with `lock` (an internal mutex) released, and the predicate is checked again after. The wait
// ended well if succeeded(satisfied), evaluated under the lock.
template <class Predicate, class Succeeded>
bool reported_wait(::threadlab::detail::CondVar& cv, ::threadlab::detail::UniqueLock& lock,
                   const std::optional<Clock::time_point>& deadline, Predicate predicate, Succeeded succeeded,
                   ObjectKind kind, std::uint64_t object, std::string_view name = {}) {
    if (!observed() || predicate() || (deadline && *deadline <= Clock::now()))
        return wait_until(cv, lock, deadline, predicate);
    for (;;) {
        lock.unlock();
        WaitScope wait(kind, object, name);
        lock.lock();
        const bool satisfied = wait_until(cv, lock, deadline, predicate);
        const bool ok = succeeded(satisfied);
        lock.unlock();
        wait.end(ok);
        lock.lock();
        // While the lock was released to report, another thread may have taken what this one
        // waited for (a Semaphore's permit): then it waits again, or the caller would go on
        // without it.
        if (!satisfied || predicate()) return satisfied;
    }
}
template <class Predicate>
bool reported_wait(::threadlab::detail::CondVar& cv, ::threadlab::detail::UniqueLock& lock,
                   const std::optional<Clock::time_point>& deadline, Predicate predicate, ObjectKind kind,
                   std::uint64_t object, std::string_view name = {}) {
    return reported_wait(cv, lock, deadline, predicate, [](bool satisfied) { return satisfied; }, kind, object, name);
}

// A sync object's display name (a C++ extension: Python's have none). Names are interned in a
// table that lives as long as the program, so an event may carry one with no copy and no race
// with set_name; a program that makes endless distinct names keeps them all.
class Named {
public:
    void set_name(std::string name);
    std::string name() const;

protected:
    std::string_view display_name() const {
        const std::string* name = name_.load(std::memory_order_acquire);
        return name ? std::string_view(*name) : std::string_view();
    }

private:
    std::atomic<const std::string*> name_{nullptr};
};
} // namespace detail

class Io {
public:
    explicit Io(std::string_view label) noexcept : scope_(ObjectKind::io, 0, label) {}
    void end(bool ok, double connecting_s = 0) noexcept {
        scope_.end(ok, connecting_s > 0 ? static_cast<std::int64_t>(connecting_s * 1e6) : 0);
    }

private:
    detail::WaitScope scope_;
};

} // namespace threadlab::events
