// threadlab/platform.hpp - the one interface between the library and how its threads run.
//
// Two backends, chosen at build time (CMake THREADLAB_BACKEND):
//   os   one OS thread (a Web Worker in the browser) per Thread: std::mutex,
//        std::condition_variable, std::thread and steady_clock, as they are.
//   sim  (THREADLAB_SIM) every Thread is a fiber on one OS thread, and a seeded scheduler
//        (sim.cpp) chooses which runs at each scheduling point: same seed, same interleaving.
//        Mutex, CondVar and OsThread park and wake fibers; Clock is the scheduler's clock
//        (wall time, or virtual time that jumps to the next timer when every fiber waits).
// The rest of the library uses only these names, never std::mutex or std::thread directly.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#ifdef THREADLAB_SIM
#include <functional>
#include <vector>
#else
#include <pthread.h>
#endif

namespace threadlab {

#ifndef THREADLAB_SIM
using Clock = std::chrono::steady_clock;
#else
// The scheduler's clock: steady_clock, or virtual time (THREADLAB_CLOCK=virtual).
struct Clock {
    using duration = std::chrono::nanoseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<Clock>;
    static constexpr bool is_steady = true;
    static time_point now() noexcept;
};
#endif

namespace events {
enum class ObjectKind : std::uint8_t; // events.hpp: what a wait is on (WaitNote below)
}

namespace detail {

#ifndef THREADLAB_SIM

using Mutex = std::mutex;
using CondVar = std::condition_variable;
using OsThread = std::thread;
inline std::thread::id this_thread_id() { return std::this_thread::get_id(); }
// threading.get_ident() of the caller, inline for RLock's fast path.
inline unsigned long this_ident() { return static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(pthread_self())); }
// Let another thread run (a spin loop's back-off).
inline void yield_now() { std::this_thread::yield(); }
// Where the sim scheduler may switch threads; nothing on os.
inline void scheduling_point() {}
inline void sleep_for(Clock::duration duration) { std::this_thread::sleep_for(duration); }
// The calling thread's name, or a started one's, for sim's "all threads are asleep" report and
// its step mode; nothing on os.
inline void set_thread_label(const std::string&) {}
inline void set_thread_label(OsThread&, const std::string&) {}
inline constexpr bool simulated = false;

// Per-thread storage: `THREADLAB_PER_THREAD(T, name)` defines `T& name()`.
#define THREADLAB_PER_THREAD(Type, name)                                                                       \
    Type& name() {                                                                                            \
        thread_local Type value{};                                                                            \
        return value;                                                                                         \
    }

#else

inline constexpr bool simulated = true;

namespace sim {
struct Fiber;
// Fibers parked on one object, woken first in, first out.
using WaitList = std::vector<Fiber*>;
// The calling fiber's slot for `key`, made by make() on first use, destroyed when the fiber ends.
void* local_slot(const void* key, void* (*make)(), void (*destroy)(void*));
std::uint64_t current_id();
// The calling fiber is a worker of this pool (ExecutorCore's id), for the all-asleep report.
void set_pool(std::uint64_t pool);

// What the calling fiber waits for while a WaitNote lives, so that the all-asleep report can give
// the wait-for chain in the deadlock detector's words: a Lock or RLock (its holder), a thread's
// end, or a future's result (the thread running its task). `waits_for` points at where the id of
// that thread is kept, read when the report is made (0: none yet). A future whose task is still
// queued waits for a worker of its pool instead: `queued_on` names the pool (see set_pool).
class WaitNote {
public:
    // `kind`: lock, rlock, thread or future.
    WaitNote(events::ObjectKind kind, std::uint64_t object, std::string_view name, const std::uint64_t* waits_for);
    explicit WaitNote(std::uint64_t thread); // waits for that thread: `object`
    ~WaitNote();
    WaitNote(const WaitNote&) = delete;
    WaitNote& operator=(const WaitNote&) = delete;

    events::ObjectKind kind;
    std::uint64_t object;  // the lock's or RLock's address, the thread's id, the future's serial
    std::string_view name; // a lock's display name
    const std::uint64_t* waits_for;
    std::uint64_t queued_on = 0; // a future's pool (ExecutorCore's id), while *waits_for is 0

private:
    Fiber* fiber_;
    WaitNote* outer_; // a wait within a wait: the note it replaces until it ends
};
} // namespace sim

// Locks and conditions between fibers: a contended lock() and every wait park the fiber.
class Mutex {
public:
    Mutex() = default;
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;
    void lock();
    bool try_lock();
    void unlock();

private:
    bool locked_ = false;
    sim::WaitList waiters_;
};

class CondVar {
public:
    using Lock = std::unique_lock<Mutex>;
    CondVar() = default;
    CondVar(const CondVar&) = delete;
    CondVar& operator=(const CondVar&) = delete;
    void notify_one() noexcept;
    void notify_all() noexcept;
    void wait(Lock& lock) { wait_until_or_forever(lock, nullptr); }
    std::cv_status wait_until(Lock& lock, Clock::time_point deadline) {
        return wait_until_or_forever(lock, &deadline) ? std::cv_status::timeout : std::cv_status::no_timeout;
    }
    template <class Predicate> void wait(Lock& lock, Predicate ready) {
        while (!ready()) wait(lock);
    }
    template <class Predicate> bool wait_until(Lock& lock, Clock::time_point deadline, Predicate ready) {
        while (!ready())
            if (wait_until(lock, deadline) == std::cv_status::timeout) return ready();
        return true;
    }
    template <class Rep, class Period> std::cv_status wait_for(Lock& lock, std::chrono::duration<Rep, Period> d) {
        return wait_until(lock, Clock::now() + std::chrono::duration_cast<Clock::duration>(d));
    }
    template <class Rep, class Period, class Predicate>
    bool wait_for(Lock& lock, std::chrono::duration<Rep, Period> d, Predicate ready) {
        return wait_until(lock, Clock::now() + std::chrono::duration_cast<Clock::duration>(d), ready);
    }

private:
    bool wait_until_or_forever(Lock& lock, const Clock::time_point* deadline); // true: timed out
    sim::WaitList waiters_;
};

// A fiber, started and joined as a std::thread is.
class OsThread {
public:
    using id = std::uint64_t;
    using native_handle_type = std::uintptr_t; // as pthread_t's, for Thread.ident
    OsThread() noexcept = default;
    explicit OsThread(std::function<void()> body);
    OsThread(OsThread&& other) noexcept : fiber_(other.fiber_) { other.fiber_ = nullptr; }
    OsThread& operator=(OsThread&& other) noexcept;
    ~OsThread();
    bool joinable() const noexcept { return fiber_ != nullptr; }
    void join();
    void detach();
    id get_id() const noexcept;
    native_handle_type native_handle() const noexcept { return static_cast<native_handle_type>(get_id()); }
    static unsigned hardware_concurrency() noexcept { return std::thread::hardware_concurrency(); }

private:
    friend void set_thread_label(OsThread& thread, const std::string& name);
    sim::Fiber* fiber_ = nullptr;
};

inline std::uint64_t this_thread_id() { return sim::current_id(); }
inline unsigned long this_ident() { return static_cast<unsigned long>(sim::current_id()); }
void yield_now();
void scheduling_point();
void sleep_for(Clock::duration duration);
void set_thread_label(const std::string& name);
void set_thread_label(OsThread& thread, const std::string& name);

#define THREADLAB_PER_THREAD(Type, name)                                                                       \
    Type& name() {                                                                                            \
        static const char key = 0;                                                                            \
        return *static_cast<Type*>(::threadlab::detail::sim::local_slot(                                     \
            &key, []() -> void* { return new Type{}; }, [](void* p) { delete static_cast<Type*>(p); }));        \
    }

#endif

using UniqueLock = std::unique_lock<Mutex>;

} // namespace detail
} // namespace threadlab
