// ThreadStates: events in, lanes of state slices and hand-off flows out.
//
// [SECTION] Names
// [SECTION] Lanes and slices
// [SECTION] apply()
// [SECTION] Flows and bounds
#include "thread_states.hpp"

#include <algorithm>

namespace threadlab::events {

// [SECTION] Names -------------------------------------------------------------------------------

const char* state_name(State state) {
    switch (state) {
    case State::running: return "running";
    case State::sleeping: return "sleeping";
    case State::io: return "waiting for IO";
    case State::connecting: return "waiting for a connection";
    case State::blocked_on_lock: return "blocked on a lock";
    case State::waiting_condition: return "waiting on a Condition";
    case State::waiting_event: return "waiting on an Event";
    case State::waiting_semaphore: return "waiting on a Semaphore";
    case State::waiting_barrier: return "waiting at a Barrier";
    case State::waiting_future: return "waiting for a Future";
    case State::waiting_join: return "waiting to join a thread";
    case State::waiting_work: return "idle, waiting for work";
    case State::waiting_gil: return "waiting for the GIL";
    case State::other_wait: return "waiting";
    }
    return "unknown";
}

State wait_state(ObjectKind kind) {
    switch (kind) {
    case ObjectKind::lock:
    case ObjectKind::rlock: return State::blocked_on_lock;
    case ObjectKind::condition: return State::waiting_condition;
    case ObjectKind::semaphore:
    case ObjectKind::bounded_semaphore: return State::waiting_semaphore;
    case ObjectKind::event: return State::waiting_event;
    case ObjectKind::barrier: return State::waiting_barrier;
    case ObjectKind::thread: return State::waiting_join;
    case ObjectKind::future:
    case ObjectKind::futures_wait: return State::waiting_future;
    case ObjectKind::sleep: return State::sleeping;
    case ObjectKind::io: return State::io;
    case ObjectKind::work_queue: return State::waiting_work;
    case ObjectKind::gil: return State::waiting_gil;
    case ObjectKind::none: break;
    }
    return State::other_wait;
}

const char* flow_name(Flow::Kind kind) {
    switch (kind) {
    case Flow::lock_handoff: return "lock hand-off";
    case Flow::wake_up: return "wake-up";
    case Flow::submit: return "submit";
    }
    return "unknown";
}

namespace {
bool is_lock(ObjectKind kind) { return kind == ObjectKind::lock || kind == ObjectKind::rlock; }
bool is_lock_like(ObjectKind kind) {
    return is_lock(kind) || kind == ObjectKind::semaphore || kind == ObjectKind::bounded_semaphore;
}
// Waits that a notify, a set, a barrier's release, a task's end or a thread's end ends.
bool is_woken(ObjectKind kind) {
    return kind == ObjectKind::condition || kind == ObjectKind::event || kind == ObjectKind::barrier ||
           kind == ObjectKind::future || kind == ObjectKind::thread;
}
// Object ids are addresses (sync objects) or serials (threads, futures): the kind in the top
// byte keeps a future's serial apart from a thread's.
std::uint64_t key_of(ObjectKind kind, std::uint64_t object) {
    return object ^ (static_cast<std::uint64_t>(kind) << 56);
}
// Drop the oldest quarter-cap at a time: O(1) amortised, between cap and 1.25 x cap kept.
template <class T>
bool trim(std::vector<T>& items, std::size_t cap) {
    if (items.size() <= cap + cap / 4) return false;
    items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(items.size() - cap));
    return true;
}
constexpr std::size_t max_unmatched = 64; // per object: waits ended before their notify was seen
} // namespace

// [SECTION] Lanes and slices --------------------------------------------------------------------

const Lane* ThreadStates::lane(std::uint32_t serial) const {
    auto found = index_.find(serial);
    return found == index_.end() ? nullptr : &lanes_[found->second];
}

void ThreadStates::clear() {
    lanes_.clear();
    tracks_.clear();
    index_.clear();
    flows_.clear();
    holders_.clear();
    released_.clear();
    notified_.clear();
    unmatched_.clear();
    submitted_.clear();
    latest_ = -1;
    changed();
}

std::size_t ThreadStates::lane_index(std::uint32_t serial, double) {
    auto found = index_.find(serial);
    if (found != index_.end()) return found->second;
    if (lanes_.size() >= max_lanes + max_lanes / 4) trim_lanes();
    Lane lane;
    lane.serial = serial;
    lanes_.push_back(std::move(lane));
    tracks_.emplace_back();
    index_.emplace(serial, lanes_.size() - 1);
    changed();
    return lanes_.size() - 1;
}

// Keeps max_lanes: the oldest finished lanes go first, then the oldest. O(lanes), once per
// max_lanes / 4 new lanes.
void ThreadStates::trim_lanes() {
    std::size_t excess = lanes_.size() - max_lanes;
    std::vector<bool> drop(lanes_.size(), false);
    for (std::size_t i = 0; i < lanes_.size() && excess > 0; ++i)
        if (!tracks_[i].alive && lanes_[i].finished >= 0) drop[i] = true, --excess;
    for (std::size_t i = 0; i < lanes_.size() && excess > 0; ++i)
        if (!drop[i]) drop[i] = true, --excess;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
        if (drop[i]) continue;
        if (kept != i) {
            lanes_[kept] = std::move(lanes_[i]);
            tracks_[kept] = std::move(tracks_[i]);
        }
        ++kept;
    }
    lanes_.resize(kept);
    tracks_.resize(kept);
    index_.clear();
    for (std::size_t i = 0; i < lanes_.size(); ++i) index_.emplace(lanes_[i].serial, i);
    changed();
}

void ThreadStates::close_open(std::vector<Slice>& slices, double time) {
    if (slices.empty() || slices.back().end >= 0) return;
    Slice& open = slices.back();
    open.end = std::max(time, open.begin);
    changed();
}

// The lane's open slice becomes what its innermost open wait (or running) says, from `time`.
void ThreadStates::set_state(std::size_t index, double time, const Event*) {
    Lane& lane = lanes_[index];
    Track& track = tracks_[index];
    Slice* open = !lane.slices.empty() && lane.slices.back().end < 0 ? &lane.slices.back() : nullptr;
    if (!track.alive) {
        if (open) close_open(lane.slices, time);
        return;
    }
    Slice want;
    if (!track.waits.empty()) want = track.waits.back().slice;
    if (open && open->state == want.state && open->object == want.object && open->object_kind == want.object_kind)
        return;
    if (open) {
        time = std::max(time, open->begin); // GIL events may arrive a little out of time order
        close_open(lane.slices, time);
        if (lane.slices.back().end == lane.slices.back().begin) lane.slices.pop_back(); // nothing to draw
    } else if (!lane.slices.empty()) {
        time = std::max(time, lane.slices.back().end);
    }
    want.begin = time;
    want.end = -1;
    lane.slices.push_back(std::move(want));
    trim(lane.slices, max_slices);
    changed();
}

// [SECTION] apply() -----------------------------------------------------------------------------

void ThreadStates::apply(const Event& e) {
    latest_ = std::max(latest_, e.time);
    if (e.kind == Kind::thread_created || e.kind == Kind::thread_named) {
        Lane& lane = lanes_[lane_index(static_cast<std::uint32_t>(e.object), e.time)];
        if (!e.name.empty() && lane.name != e.name) {
            lane.name = std::string(e.name);
            changed();
        }
        return;
    }

    const std::size_t index = lane_index(e.thread, e.time);
    Track& track = tracks_[index];
    // Any event of the thread itself shows it running (main and threads that predate the
    // recorder announce no start; the GIL may report before thread_started does).
    if (!track.alive && lanes_[index].finished < 0 && e.kind != Kind::thread_finished) {
        track.alive = true;
        if (lanes_[index].started < 0) lanes_[index].started = e.time;
        set_state(index, e.time, nullptr);
    }
    Lane& lane = lanes_[index];

    switch (e.kind) {
    case Kind::thread_started:
        if (e.time < lane.started) {
            // Seen acting a moment earlier in seq than its start, but started before that.
            if (!lane.slices.empty() && lane.slices.front().begin > e.time) {
                Slice running;
                running.begin = e.time;
                running.end = lane.slices.front().begin;
                lane.slices.insert(lane.slices.begin(), running);
            }
            lane.started = e.time;
            changed();
        }
        break;
    case Kind::thread_finished: {
        track.alive = false;
        track.waits.clear();
        lane.finished = e.time;
        set_state(index, e.time, nullptr);
        changed();
        Mark mark{e.thread, e.time};
        const std::uint64_t key = key_of(ObjectKind::thread, e.thread);
        notified_[key] = mark;
        bound(notified_);
        auto waiting = unmatched_.find(key);
        if (waiting != unmatched_.end()) {
            for (const EndedWait& w : waiting->second)
                if (w.thread != e.thread && w.begin <= e.time)
                    add_flow(Flow::wake_up, e.thread, e.time, w.thread, w.end, e.thread);
            unmatched_.erase(waiting);
        }
        break;
    }
    case Kind::wait_begin: {
        if (!track.alive) break;
        OpenWait wait;
        wait.kind = e.object_kind;
        wait.object = e.object;
        wait.begin = e.time;
        wait.slice.state = wait_state(e.object_kind);
        wait.slice.object = e.object;
        wait.slice.object_kind = e.object_kind;
        wait.slice.object_name = std::string(e.name);
        wait.slice.task = e.task;
        if (is_lock(e.object_kind)) {
            auto holder = holders_.find(e.object);
            if (holder != holders_.end() && holder->second != e.thread) wait.slice.holder = holder->second;
        }
        track.waits.push_back(std::move(wait));
        track.waited_for = 0;
        set_state(index, e.time, &e);
        break;
    }
    case Kind::wait_end:
        on_wait_end(index, e);
        break;
    case Kind::lock_acquired:
        if (e.object_kind == ObjectKind::gil) {
            close_open(lane.gil, e.time); // never two open at once
            Slice span;
            span.begin = e.time;
            span.object = e.object;
            span.object_kind = ObjectKind::gil;
            span.object_name = std::string(e.name);
            lane.gil.push_back(std::move(span));
            trim(lane.gil, max_slices);
            changed();
            break;
        }
        if (is_lock(e.object_kind)) {
            holders_[e.object] = e.thread;
            bound(holders_);
        }
        if (track.waited_for == e.object && is_lock_like(e.object_kind)) {
            auto released = released_.find(e.object);
            if (released != released_.end() && released->second.thread != e.thread)
                add_flow(Flow::lock_handoff, released->second.thread, released->second.time, e.thread, e.time, e.object);
        }
        track.waited_for = 0;
        break;
    case Kind::lock_released:
        if (e.object_kind == ObjectKind::gil) {
            close_open(lane.gil, e.time);
            break;
        }
        if (e.object_kind == ObjectKind::lock || (e.object_kind == ObjectKind::rlock && e.count == 0))
            holders_.erase(e.object);
        if (is_lock_like(e.object_kind)) {
            released_[e.object] = Mark{e.thread, e.time};
            bound(released_);
        }
        break;
    case Kind::notified:
        if (e.object_kind == ObjectKind::condition || e.object_kind == ObjectKind::event ||
            e.object_kind == ObjectKind::barrier) {
            notify(key_of(e.object_kind, e.object), e, e.object);
        }
        break;
    case Kind::task_submitted:
        submitted_[e.task] = Mark{e.thread, e.time};
        bound(submitted_);
        break;
    case Kind::task_started: {
        lane.tasks_run.emplace_back(e.time, -1.0);
        trim(lane.tasks_run, max_slices);
        changed();
        auto submitted = submitted_.find(e.task);
        if (submitted != submitted_.end()) {
            if (submitted->second.thread != e.thread)
                add_flow(Flow::submit, submitted->second.thread, submitted->second.time, e.thread, e.time, e.task);
            submitted_.erase(submitted);
        }
        break;
    }
    case Kind::task_done:
    case Kind::task_failed: {
        if (!lane.tasks_run.empty() && lane.tasks_run.back().second < 0) {
            lane.tasks_run.back().second = std::max(e.time, lane.tasks_run.back().first);
            changed();
        }
        notify(key_of(ObjectKind::future, e.task), e, e.task);
        break;
    }
    case Kind::task_cancelled:
        submitted_.erase(e.task);
        break;
    case Kind::thread_created:
    case Kind::thread_named:
        break;
    }
}

// The Io wait that just ended (the newest closed io slice: a GIL wait may have begun after it)
// spent its first `connecting` seconds before its request went out: that part becomes a slice of
// its own.
void ThreadStates::split_connecting(Lane& lane, double connecting) {
    const std::size_t last = lane.slices.size();
    for (std::size_t i = last; i-- > 0 && i + 4 > last;) {
        Slice& io = lane.slices[i];
        if (io.state != State::io || io.end < 0) continue;
        Slice before = io;
        before.state = State::connecting;
        before.end = std::min(io.end, io.begin + connecting);
        io.begin = before.end;
        if (io.begin >= io.end)
            io = std::move(before); // all of it
        else
            lane.slices.insert(lane.slices.begin() + static_cast<std::ptrdiff_t>(i), std::move(before));
        changed();
        return;
    }
}

void ThreadStates::on_wait_end(std::size_t index, const Event& e) {
    Track& track = tracks_[index];
    auto found = std::find_if(track.waits.rbegin(), track.waits.rend(), [&](const OpenWait& w) {
        return w.kind == e.object_kind && w.object == e.object;
    });
    if (found == track.waits.rend()) return; // began before this model saw the thread
    const double begin = found->begin;
    track.waits.erase(std::next(found).base());
    set_state(index, e.time, nullptr);
    if (e.object_kind == ObjectKind::io && e.count > 0) split_connecting(lanes_[index], e.count * 1e-6);
    if (!e.ok) return;
    if (is_lock_like(e.object_kind)) {
        track.waited_for = e.object; // its lock_acquired follows: a hand-off if another released it
        return;
    }
    if (!is_woken(e.object_kind)) return;
    const std::uint64_t object = e.object_kind == ObjectKind::future ? e.task : e.object;
    const std::uint64_t key = key_of(e.object_kind, object);
    auto notify = notified_.find(key);
    if (notify != notified_.end() && notify->second.thread != e.thread && notify->second.time >= begin) {
        add_flow(Flow::wake_up, notify->second.thread, notify->second.time, e.thread, e.time, object);
        return;
    }
    // A notify reported after the wait it ended (notify() wakes, then reports): matched when it
    // arrives.
    auto& waiting = unmatched_[key];
    waiting.push_back(EndedWait{e.thread, begin, e.time});
    if (waiting.size() > max_unmatched) waiting.erase(waiting.begin());
    bound(unmatched_);
}

// [SECTION] Flows and bounds --------------------------------------------------------------------

// A notify/set/barrier release, or a task ending (key: the object waited on): remembered for the
// waits it will end, and a wake-up flow to each wait it ended before it was reported.
void ThreadStates::notify(std::uint64_t key, const Event& e, std::uint64_t object) {
    notified_[key] = Mark{e.thread, e.time};
    bound(notified_);
    auto waiting = unmatched_.find(key);
    if (waiting == unmatched_.end()) return;
    for (const EndedWait& w : waiting->second)
        if (w.thread != e.thread && w.begin <= e.time) add_flow(Flow::wake_up, e.thread, e.time, w.thread, w.end, object);
    unmatched_.erase(waiting);
}

void ThreadStates::add_flow(Flow::Kind kind, std::uint32_t from, double from_time, std::uint32_t to, double to_time,
                            std::uint64_t object) {
    // A release or notify is reported a moment after it takes effect, so the woken thread's
    // event may carry an earlier time: the arrow never points back in time.
    from_time = std::min(from_time, to_time);
    flows_.push_back(Flow{kind, from, to, from_time, to_time, object});
    trim(flows_, max_flows);
    changed();
}

} // namespace threadlab::events
