// threadlab/thread_states.hpp - what a timeline draws, built from the event stream.
//
// [SECTION] State          what a thread is doing: running, or which kind of wait
// [SECTION] Slice, Lane    one row per thread (keyed by its serial): state slices, GIL spans, tasks
// [SECTION] Flow           hand-offs between threads: lock release -> acquire, set/notify -> wake-up,
//                          submit -> the task starting on its worker
// [SECTION] ThreadStates   the model: apply() events in seq order, read lanes() and flows()
//
// Feed it what a Recorder reads (Recorder::read, in seq order) from one thread; it is not
// thread-safe. Each event costs O(1) amortised. Times are Event::time (perf_counter seconds).
//
// Bounds, so that a long run keeps a bounded model (oldest dropped first; "amortised": a vector
// is trimmed by a quarter of its cap at a time, so it holds between cap and 1.25 x cap):
//   - flows: the newest max_flows (10,000);
//   - slices and GIL spans and tasks_run: the newest max_slices (50,000) per lane;
//   - lanes: max_lanes (4,096); beyond, the oldest finished lanes go first;
//   - the per-object bookkeeping behind holders and flows (lock holders, the last release or
//     notify of each object, pending submits): max_objects (65,536) each, then forgotten at once
//     (a hand-off across that moment is not drawn).
#pragma once

#include "events.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace threadlab::events {

// [SECTION] State -------------------------------------------------------------------------------

enum class State : std::uint8_t {
    running,           // started, not finished, no wait open
    sleeping,          // threadlab::sleep
    io,                // events::Io (a download): the request sent, waiting for the answer
    connecting,        // the first part of an Io wait: waiting for a free connection, opening it
    blocked_on_lock,   // Lock, RLock acquire
    waiting_condition, // Condition.wait
    waiting_event,     // Event.wait
    waiting_semaphore, // Semaphore, BoundedSemaphore acquire
    waiting_barrier,   // Barrier.wait
    waiting_future,    // Future result()/exception(), wait(), as_completed()
    waiting_join,      // Thread.join
    waiting_work,      // a pool worker idle, waiting for work
    waiting_gil,       // waiting for the emulated GIL (gil.hpp)
    other_wait,        // a wait on an object of no known kind
};
// "running", "sleeping", "waiting for IO", "blocked on a lock", "waiting on a Condition", ...
const char* state_name(State state);
// The state a wait on an object of this kind puts its thread in.
State wait_state(ObjectKind kind);

// [SECTION] Slice, Lane -------------------------------------------------------------------------

struct Slice {
    double begin = 0, end = -1; // end < 0: still open
    State state = State::running;
    std::uint64_t object = 0;   // the object waited on (Event::object), 0 when running
    ObjectKind object_kind = ObjectKind::none;
    std::string object_name;    // its display name (a Lock's set_name, an Io's label, "GIL")
    std::uint32_t holder = 0;   // blocked_on_lock: serial of the thread holding it when the wait
                                // began, 0 unknown
    std::uint64_t task = 0;     // waiting_future: the future's serial; GIL span: 0
};

struct Lane {
    std::uint32_t serial = 0;  // the thread's serial (Thread::serial()): the lane's identity
    std::string name;          // its name, as last named; empty if never seen named
    double started = -1, finished = -1; // < 0: not (yet) seen
    std::vector<Slice> slices; // state slices, in time order, contiguous while the thread runs
    std::vector<Slice> gil;    // spans holding the GIL (state running, object the GIL)
    std::vector<std::pair<double, double>> tasks_run; // task_started..task_done/failed on this
                                                      // worker; second < 0: still running
};

// [SECTION] Flow --------------------------------------------------------------------------------

struct Flow {
    enum Kind : std::uint8_t {
        lock_handoff, // lock_released by one thread -> lock_acquired by another that was blocked on it
        wake_up,      // notify/set/barrier release, a task done, a thread finished -> the wait it ended
        submit,       // task_submitted -> task_started on its worker
    } kind;
    std::uint32_t from_thread, to_thread;
    double from_time, to_time;
    std::uint64_t object; // the lock, condition, event, barrier; the future's serial; the thread's
};
const char* flow_name(Flow::Kind kind); // "lock hand-off", "wake-up", "submit"

// [SECTION] ThreadStates ------------------------------------------------------------------------

class ThreadStates {
public:
    static constexpr std::size_t max_flows = 10'000;
    static constexpr std::size_t max_slices = 50'000;
    static constexpr std::size_t max_lanes = 4'096;
    static constexpr std::size_t max_objects = 65'536;

    // Feed events in seq order (from Recorder::read). Events of the GIL may come, in seq order,
    // a little before or after the events they surround; their times are right, and slices are
    // kept in time order per lane.
    void apply(const Event& e);
    void apply(const std::vector<Event>& events) {
        for (const Event& e : events) apply(e);
    }
    const std::vector<Lane>& lanes() const { return lanes_; }     // in order of first appearance
    const std::vector<Flow>& flows() const { return flows_; }     // in the order they completed
    // Changes only when something drawn changed (a lane, slice, span, task or flow).
    std::uint64_t version() const { return version_; }
    // The latest event time applied (-1 before any): where an open slice ends for now.
    double latest() const { return latest_; }
    // The lane of a thread, or nullptr.
    const Lane* lane(std::uint32_t serial) const;
    void clear();

private:
    struct OpenWait {
        ObjectKind kind = ObjectKind::none;
        std::uint64_t object = 0;
        double begin = 0;
        Slice slice; // what the lane shows while this is the innermost wait
    };
    struct Track { // per lane, what is not drawn
        std::vector<OpenWait> waits;   // open waits, innermost last
        bool alive = false;            // started (or seen acting) and not finished
        std::uint64_t waited_for = 0;  // the lock/semaphore whose wait just ended well (lock hand-off)
        ObjectKind waited_kind = ObjectKind::none;
    };
    struct Mark {
        std::uint32_t thread;
        double time;
    };
    struct EndedWait {
        std::uint32_t thread;
        double begin, end;
    };

    std::size_t lane_index(std::uint32_t serial, double time);
    void set_state(std::size_t index, double time, const Event* wait);
    void close_open(std::vector<Slice>& slices, double time);
    void on_wait_end(std::size_t index, const Event& e);
    void split_connecting(Lane& lane, double connecting);
    void notify(std::uint64_t key, const Event& e, std::uint64_t object);
    void add_flow(Flow::Kind kind, std::uint32_t from, double from_time, std::uint32_t to, double to_time,
                  std::uint64_t object);
    template <class Map>
    static void bound(Map& map) {
        if (map.size() >= max_objects) map.clear();
    }
    void trim_lanes();
    void changed() { ++version_; }

    std::vector<Lane> lanes_;
    std::vector<Track> tracks_; // parallel to lanes_
    std::unordered_map<std::uint32_t, std::size_t> index_; // serial -> position in lanes_
    std::vector<Flow> flows_;
    std::unordered_map<std::uint64_t, std::uint32_t> holders_;  // lock/rlock -> holding thread
    std::unordered_map<std::uint64_t, Mark> released_;          // lock-like -> its last release
    std::unordered_map<std::uint64_t, Mark> notified_;          // object key -> its last notify
    std::unordered_map<std::uint64_t, std::vector<EndedWait>> unmatched_; // waits ended before their notify arrived
    std::unordered_map<std::uint64_t, Mark> submitted_;         // task serial -> submit
    std::uint64_t version_ = 0;
    double latest_ = -1;
};

} // namespace threadlab::events
