#include "gil.hpp"

#include "errors.hpp"
#include "events.hpp"
#include "timing.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace threadlab::gil {
namespace {

// The GIL's own waits use std:: primitives: they are not Python-level waits, and must not give
// up the GIL or report themselves to anyone.
struct State {
    detail::Mutex mutex;
    detail::CondVar released; // a waiter: the GIL became free
    detail::CondVar switched; // a dropping holder: another thread took it
    bool locked = false;
    unsigned long long switch_number = 0; // counts every acquire; "did anyone take it since?"
    std::atomic<bool> drop_request{false};
    std::atomic<double> interval{0.005};
    std::atomic<unsigned long long> handovers{0}; // at checkpoints (switches())
};

State& state() {
    static State* s = new State; // never destroyed: threads may still release during exit
    return *s;
}
std::atomic<bool> on{false};
THREADLAB_PER_THREAD(bool, holding)

// The installed observer, excluded when the GIL reports itself (see report()).
std::atomic<const events::Observer*> self_observer{nullptr};

// The GIL's own events (ObjectKind::gil), to every observer but the GIL's: the GIL emulation is
// an observer, and acquires and releases inside its observer calls, where a plain emit() would
// be dropped. `time` is taken under the GIL's mutex, so one thread's release is stamped before
// the next holder's acquire even though both are reported after the mutex is released.
void report(events::Kind kind, double time) {
    events::Event event;
    event.kind = kind;
    event.object_kind = events::ObjectKind::gil;
    event.object = events::detail::object_id(&state());
    event.name = "GIL";
    event.time = time;
    events::detail::emit_except(self_observer.load(std::memory_order_acquire), event);
}

void take(State& s, detail::UniqueLock& lock) {
    const auto interval = std::chrono::duration<double>(s.interval.load(std::memory_order_relaxed));
    while (s.locked) {
        const unsigned long long seen = s.switch_number;
        // Wait one interval; if nobody took the GIL meanwhile, ask the holder to drop it.
        if (!s.released.wait_for(lock, interval, [&] { return !s.locked; }) && s.locked && s.switch_number == seen)
            s.drop_request.store(true, std::memory_order_relaxed);
    }
    s.locked = true;
    s.drop_request.store(false, std::memory_order_relaxed);
    ++s.switch_number;
    holding() = true;
    s.switched.notify_all();
}

void drop(State& s, detail::UniqueLock&) {
    s.locked = false;
    holding() = false;
    s.released.notify_one();
}

THREADLAB_PER_THREAD(bool, gave_up_for_wait)

// The library's side of the emulation, from the event stream on the thread where it happens: a
// Thread takes the GIL when it starts and gives it back when it ends; every wait that blocks
// (a lock, a join, a result, sleep, a download, a pool worker waiting for work) gives it up
// for its duration, as CPython's Py_BEGIN_ALLOW_THREADS does.
class Observer final : public events::Observer {
public:
    void on_event(const events::Event& event) noexcept override {
        using K = events::Kind;
        switch (event.kind) {
        case K::thread_started: // a Thread about to run its target (not main or a dummy seen late)
            if (event.count == 1 && enabled() && !holding()) acquire();
            break;
        case K::thread_finished:
            if (holding()) release();
            break;
        case K::wait_begin:
            if (holding()) {
                release();
                gave_up_for_wait() = true;
            }
            break;
        case K::wait_end:
            if (gave_up_for_wait()) {
                gave_up_for_wait() = false;
                if (enabled()) acquire();
            }
            break;
        default:
            break;
        }
    }
};

} // namespace

void set_enabled(bool enable) {
    State& s = state();
    {
        std::lock_guard<detail::Mutex> lock(s.mutex);
        on.store(enable, std::memory_order_release);
        s.handovers.store(0, std::memory_order_relaxed);
    }
    // Installed once and kept: removing it would wait for threads that may be blocked in it (a
    // run left behind); while disabled it only lets a thread that still holds the GIL give it up.
    if (enable) {
        static const bool installed = [] {
            auto* observer = new Observer;
            self_observer.store(observer, std::memory_order_release);
            events::add_observer(observer);
            return true;
        }();
        (void)installed;
    }
}
bool enabled() { return on.load(std::memory_order_acquire); }

void set_switch_interval(double seconds) {
    if (!(seconds > 0)) throw ValueError("switch interval must be strictly positive");
    state().interval.store(seconds, std::memory_order_relaxed);
}
double switch_interval() { return state().interval.load(std::memory_order_relaxed); }

void acquire() {
    if (!enabled()) return;
    if (holding()) throw RuntimeError("the GIL is already held by this thread");
    State& s = state();
    detail::UniqueLock lock(s.mutex);
    if (!events::detail::observed()) {
        take(s, lock);
        return;
    }
    const bool waits = s.locked;
    if (waits) {
        const double asked = perf_counter();
        lock.unlock();
        report(events::Kind::wait_begin, asked);
        lock.lock();
    }
    take(s, lock);
    const double taken = perf_counter();
    lock.unlock();
    if (waits) report(events::Kind::wait_end, taken);
    report(events::Kind::lock_acquired, taken);
}

void release() {
    if (!holding()) {
        if (!enabled()) return;
        throw RuntimeError("release of a GIL this thread does not hold");
    }
    State& s = state();
    detail::UniqueLock lock(s.mutex);
    const bool observed = events::detail::observed();
    const double dropped = observed ? perf_counter() : 0;
    drop(s, lock);
    lock.unlock();
    if (observed) report(events::Kind::lock_released, dropped);
}

bool held() { return holding(); }

void checkpoint() {
    detail::scheduling_point(); // sim: CPU-bound code switches only at points like this one
    if (!holding()) return;
    State& s = state();
    if (!s.drop_request.load(std::memory_order_relaxed)) return;
    detail::UniqueLock lock(s.mutex);
    const unsigned long long mine = s.switch_number;
    const bool observed = events::detail::observed();
    const double dropped = observed ? perf_counter() : 0;
    drop(s, lock);
    // FORCE_SWITCHING: do not take it straight back; wait until the thread that asked has it.
    s.switched.wait(lock, [&] { return s.switch_number != mine; });
    s.handovers.fetch_add(1, std::memory_order_relaxed);
    take(s, lock);
    if (!observed) return;
    // Reported once the GIL is back (emitting with the mutex held could deadlock an observer),
    // with the times of the moments themselves.
    const double taken = perf_counter();
    lock.unlock();
    report(events::Kind::lock_released, dropped);
    report(events::Kind::wait_begin, dropped);
    report(events::Kind::wait_end, taken);
    report(events::Kind::lock_acquired, taken);
}

unsigned long long switches() { return state().handovers.load(std::memory_order_relaxed); }

} // namespace threadlab::gil
