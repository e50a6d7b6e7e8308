// The event stream: observer slots and dispatch, display names, the Recorder.
//
// [SECTION] Names of kinds
// [SECTION] Observers and dispatch
// [SECTION] Display names
// [SECTION] Recorder
#include "events.hpp"

#include "errors.hpp"
#include "internal.hpp"
#include "thread.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace threadlab::events {

// [SECTION] Names of kinds ----------------------------------------------------------------------

const char* kind_name(Kind kind) {
    switch (kind) {
    case Kind::thread_created: return "thread_created";
    case Kind::thread_named: return "thread_named";
    case Kind::thread_started: return "thread_started";
    case Kind::thread_finished: return "thread_finished";
    case Kind::wait_begin: return "wait_begin";
    case Kind::wait_end: return "wait_end";
    case Kind::lock_acquired: return "lock_acquired";
    case Kind::lock_released: return "lock_released";
    case Kind::notified: return "notified";
    case Kind::task_submitted: return "task_submitted";
    case Kind::task_started: return "task_started";
    case Kind::task_done: return "task_done";
    case Kind::task_failed: return "task_failed";
    case Kind::task_cancelled: return "task_cancelled";
    }
    return "unknown";
}

const char* object_kind_name(ObjectKind kind) {
    switch (kind) {
    case ObjectKind::none: return "none";
    case ObjectKind::lock: return "lock";
    case ObjectKind::rlock: return "rlock";
    case ObjectKind::condition: return "condition";
    case ObjectKind::semaphore: return "semaphore";
    case ObjectKind::bounded_semaphore: return "bounded_semaphore";
    case ObjectKind::event: return "event";
    case ObjectKind::barrier: return "barrier";
    case ObjectKind::thread: return "thread";
    case ObjectKind::future: return "future";
    case ObjectKind::futures_wait: return "futures_wait";
    case ObjectKind::sleep: return "sleep";
    case ObjectKind::io: return "io";
    case ObjectKind::work_queue: return "work_queue";
    case ObjectKind::gil: return "gil";
    }
    return "unknown";
}

// [SECTION] Observers and dispatch --------------------------------------------------------------
// A fixed array of slots. A dispatcher counts itself into a slot's in_flight before it loads the
// slot's observer; remove_observer clears the observer before it waits for in_flight to reach 0.
// Both sides are sequentially consistent, so either the dispatcher sees nullptr, or the remover
// sees it in flight and waits for it.

namespace {
constexpr int max_observers = 8;

struct alignas(64) Slot {
    std::atomic<Observer*> observer{nullptr};
    std::atomic<int> in_flight{0};
};

struct Observers {
    Slot slots[max_observers];
    std::atomic<int> used{0}; // slots [0, used) may hold an observer
    ::threadlab::detail::Mutex change;        // add/remove, one at a time
};

Observers& observers() {
    static Observers* o = new Observers; // never destroyed: threads may emit during exit
    return *o;
}

// Events emitted by an observer are dropped.
THREADLAB_PER_THREAD(bool, inside_observer)
} // namespace

void add_observer(Observer* observer) {
    if (!observer) throw ValueError("observer must not be null");
    Observers& o = observers();
    std::lock_guard lock(o.change);
    int used = o.used.load();
    for (int i = 0; i < used; ++i)
        if (o.slots[i].observer.load() == observer) return;
    int free = 0;
    while (free < max_observers && o.slots[free].observer.load() != nullptr) ++free;
    if (free == max_observers) throw RuntimeError("too many event observers (at most 8)");
    o.slots[free].observer.store(observer);
    if (free >= used) o.used.store(free + 1);
#ifndef THREADLAB_NO_EVENTS
    detail::any_observer.store(true);
#endif
}

bool remove_observer(Observer* observer) {
    if (inside_observer()) throw RuntimeError("remove_observer called from inside an observer call");
    Observers& o = observers();
    std::lock_guard lock(o.change);
    bool found = false, any = false;
    for (int i = 0; i < o.used.load(); ++i) {
        Slot& slot = o.slots[i];
        if (slot.observer.load() == observer) {
            slot.observer.store(nullptr);
            while (slot.in_flight.load() != 0) ::threadlab::detail::yield_now();
            found = true;
        } else if (slot.observer.load()) {
            any = true;
        }
    }
#ifndef THREADLAB_NO_EVENTS
    detail::any_observer.store(any);
#else
    (void)any;
#endif
    return found;
}

namespace detail {
void start_trace_from_environment(); // trace_export.cpp

namespace {
// THREADLAB_TRACE=file.json: record from the start, write at exit. Here, in a file every program
// that emits links, so that the static library's trace_export.o is linked with it.
const bool trace_from_environment = (start_trace_from_environment(), true);
} // namespace

void emit(Event event) noexcept {
    if (inside_observer()) return;
    event.time = perf_counter();
    if (event.thread == 0) event.thread = threadlab::detail::current_thread_serial();
    Observers& o = observers();
    inside_observer() = true;
    int used = o.used.load(std::memory_order_acquire);
    for (int i = 0; i < used; ++i) {
        Slot& slot = o.slots[i];
        slot.in_flight.fetch_add(1);
        if (Observer* observer = slot.observer.load()) observer->on_event(event);
        slot.in_flight.fetch_sub(1, std::memory_order_release);
    }
    inside_observer() = false;
}

void emit_except(const Observer* source, Event event) noexcept {
    if (event.time == 0) event.time = perf_counter();
    if (event.thread == 0) event.thread = threadlab::detail::current_thread_serial();
    Observers& o = observers();
    const bool was_inside = inside_observer();
    inside_observer() = true;
    int used = o.used.load(std::memory_order_acquire);
    for (int i = 0; i < used; ++i) {
        Slot& slot = o.slots[i];
        slot.in_flight.fetch_add(1);
        Observer* observer = slot.observer.load();
        if (observer && observer != source) observer->on_event(event);
        slot.in_flight.fetch_sub(1, std::memory_order_release);
    }
    inside_observer() = was_inside;
}

void emit(Kind kind, ObjectKind object_kind, std::uint64_t object, std::string_view name, std::int64_t count,
          bool ok, std::uint64_t task) noexcept {
    Event event;
    event.kind = kind;
    event.object_kind = object_kind;
    event.object = object;
    event.name = name;
    event.count = count;
    event.ok = ok;
    event.task = task;
    emit(event);
}

void emit_task(Kind kind, std::uint64_t future_serial, std::uint32_t submitter, std::int64_t count) noexcept {
    Event event;
    event.count = count;
    event.kind = kind;
    event.object_kind = ObjectKind::future;
    event.object = future_serial;
    event.task = future_serial;
    event.submitter = submitter;
    emit(event);
}

WaitScope::WaitScope(ObjectKind kind, std::uint64_t object, std::string_view name, std::uint64_t task) noexcept
    : kind_(kind), object_(object), name_(name), task_(task) {
    if (!observed()) return;
    active_ = true;
    emit_wait(Kind::wait_begin, true);
}

void WaitScope::end_now(bool ok, std::int64_t count) noexcept {
    active_ = false;
    emit_wait(Kind::wait_end, ok, count);
}

void WaitScope::emit_wait(Kind kind, bool ok, std::int64_t count) const noexcept { emit(kind, kind_, object_, name_, count, ok, task_); }

// [SECTION] Display names -----------------------------------------------------------------------

namespace {
struct NameTable {
    ::threadlab::detail::Mutex mutex;
    std::unordered_set<std::string> names; // node-based: an element's address never changes
};
NameTable& name_table() {
    static NameTable* t = new NameTable; // never destroyed: events may carry names during exit
    return *t;
}
} // namespace

void Named::set_name(std::string name) {
    const std::string* interned = nullptr;
    if (!name.empty()) {
        NameTable& t = name_table();
        std::lock_guard lock(t.mutex);
        interned = &*t.names.insert(std::move(name)).first;
    }
    name_.store(interned, std::memory_order_release);
}

std::string Named::name() const { return std::string(display_name()); }
} // namespace detail

// [SECTION] Recorder ----------------------------------------------------------------------------
// A writer claims a seq with one fetch_add and publishes its slot seqlock-style: stamp 2*seq+1
// while writing, 2*seq+2 once the event is complete. Fields are relaxed atomics so that a reader
// racing with a writer reads no torn values.

namespace {
constexpr std::size_t max_names = 1 << 16; // distinct names kept; later ones are recorded unnamed

struct RecordSlot {
    std::atomic<std::uint64_t> stamp{0};
    std::atomic<double> time{0};
    std::atomic<std::uint64_t> object{0};
    std::atomic<std::uint64_t> task{0};
    std::atomic<std::int64_t> count{0};
    std::atomic<const std::string*> name{nullptr};
    std::atomic<std::uint32_t> thread{0};
    std::atomic<std::uint32_t> submitter{0};
    std::atomic<std::uint32_t> kinds{0}; // kind | object_kind << 8 | ok << 16

    void store(const Event& e, const std::string* interned) {
        time.store(e.time, std::memory_order_relaxed);
        object.store(e.object, std::memory_order_relaxed);
        task.store(e.task, std::memory_order_relaxed);
        count.store(e.count, std::memory_order_relaxed);
        name.store(interned, std::memory_order_relaxed);
        thread.store(e.thread, std::memory_order_relaxed);
        submitter.store(e.submitter, std::memory_order_relaxed);
        kinds.store(static_cast<std::uint32_t>(e.kind) | static_cast<std::uint32_t>(e.object_kind) << 8 |
                        static_cast<std::uint32_t>(e.ok) << 16,
                    std::memory_order_relaxed);
    }
    Event load(std::uint64_t seq) const {
        Event e;
        e.seq = seq;
        e.time = time.load(std::memory_order_relaxed);
        e.object = object.load(std::memory_order_relaxed);
        e.task = task.load(std::memory_order_relaxed);
        e.count = count.load(std::memory_order_relaxed);
        if (const std::string* n = name.load(std::memory_order_relaxed)) e.name = *n;
        e.thread = thread.load(std::memory_order_relaxed);
        e.submitter = submitter.load(std::memory_order_relaxed);
        std::uint32_t k = kinds.load(std::memory_order_relaxed);
        e.kind = static_cast<Kind>(k & 0xff);
        e.object_kind = static_cast<ObjectKind>((k >> 8) & 0xff);
        e.ok = (k >> 16) & 1;
        return e;
    }
};

constexpr std::uint64_t writing(std::uint64_t seq) { return 2 * seq + 1; }
constexpr std::uint64_t written(std::uint64_t seq) { return 2 * seq + 2; }
} // namespace

struct Recorder::State {
    explicit State(std::size_t n) : capacity(std::max<std::size_t>(n, 1)), ring(new RecordSlot[capacity]) {}
    const std::size_t capacity;
    std::unique_ptr<RecordSlot[]> ring;
    std::atomic<std::uint64_t> next_seq{0};    // seq of the next event recorded
    std::atomic<std::uint64_t> cleared_seq{0}; // events before this were forgotten by clear()

    mutable ::threadlab::detail::Mutex names_mutex;
    std::unordered_set<std::string> names;                           // interned: stable addresses
    std::unordered_map<std::uint32_t, const std::string*> threads;  // thread serial -> name
    std::deque<std::uint32_t> named_order; // serials in the order first named: the oldest goes first

    const std::string* intern(const Event& e) {
        if (e.name.empty()) return nullptr;
        std::lock_guard lock(names_mutex);
        auto found = names.find(std::string(e.name));
        const std::string* interned = nullptr;
        if (found != names.end())
            interned = &*found;
        else if (names.size() < max_names)
            interned = &*names.emplace(e.name).first;
        if (interned && (e.kind == Kind::thread_created || e.kind == Kind::thread_named)) {
            auto serial = static_cast<std::uint32_t>(e.object);
            auto [slot, added] = threads.try_emplace(serial, interned);
            slot->second = interned;
            if (added) {
                named_order.push_back(serial);
                if (named_order.size() > max_names) {
                    threads.erase(named_order.front());
                    named_order.pop_front();
                }
            }
        }
        return interned;
    }
};

Recorder::Recorder(std::size_t capacity) : state_(std::make_unique<State>(capacity)) {}

Recorder::~Recorder() { remove_observer(this); }

void Recorder::on_event(const Event& event) noexcept {
    State& s = *state_;
    const std::string* name = s.intern(event);
    std::uint64_t seq = s.next_seq.fetch_add(1, std::memory_order_relaxed);
    RecordSlot& slot = s.ring[seq % s.capacity];
    // Claim the slot unless a writer of a newer lap (seq + capacity) already did: then this event
    // counts as overwritten, which it would have been a moment later anyway.
    std::uint64_t stamp = slot.stamp.load(std::memory_order_relaxed);
    do {
        if (stamp >= writing(seq)) return;
    } while (!slot.stamp.compare_exchange_weak(stamp, writing(seq), std::memory_order_relaxed));
    std::atomic_thread_fence(std::memory_order_release);
    slot.store(event, name);
    std::uint64_t mine = writing(seq);
    slot.stamp.compare_exchange_strong(mine, written(seq), std::memory_order_release, std::memory_order_relaxed);
}

std::uint64_t Recorder::read(std::uint64_t from, std::vector<Event>& out) const {
    const State& s = *state_;
    std::uint64_t end = s.next_seq.load(std::memory_order_acquire);
    std::uint64_t seq = std::max({from, s.cleared_seq.load(std::memory_order_acquire),
                                  end > s.capacity ? end - s.capacity : std::uint64_t{0}});
    for (; seq < end; ++seq) {
        const RecordSlot& slot = s.ring[seq % s.capacity];
        for (;;) {
            std::uint64_t before = slot.stamp.load(std::memory_order_acquire);
            if (before > written(seq)) break; // overwritten by a newer lap: dropped
            if (before < written(seq)) {
                // Claimed (seq < end) but not yet complete: its writer is between two instructions.
                ::threadlab::detail::yield_now();
                continue;
            }
            Event event = slot.load(seq);
            std::atomic_thread_fence(std::memory_order_acquire);
            if (slot.stamp.load(std::memory_order_relaxed) == before) out.push_back(event);
            break;
        }
    }
    return end;
}

void Recorder::clear() {
    state_->cleared_seq.store(state_->next_seq.load(std::memory_order_acquire), std::memory_order_release);
}

std::size_t Recorder::capacity() const { return state_->capacity; }

std::string Recorder::thread_name(std::uint32_t serial) const {
    {
        std::lock_guard lock(state_->names_mutex);
        auto found = state_->threads.find(serial);
        if (found != state_->threads.end()) return *found->second;
    }
    for (const Thread& thread : enumerate())
        if (thread.serial() == serial) return thread.name();
    return {};
}

} // namespace threadlab::events
