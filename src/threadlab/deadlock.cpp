// The deadlock detector: a wait-for graph kept from the event stream, and a watchdog that looks
// for cycles in it.
//
// [SECTION] State          what the events say: waits, lock holders, futures and pool workers
// [SECTION] Events         on_event: keep the state (on the event's thread, briefly)
// [SECTION] Graph          who waits for whom; the cycles
// [SECTION] Reports        the message; the watchdog's tick
#include "deadlock.hpp"

#include "errors.hpp"
#include "internal.hpp"
#include "thread.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace threadlab {

using events::Event;
using events::Kind;
using events::ObjectKind;

// [SECTION] State -------------------------------------------------------------------------------

namespace {
struct Wait {
    ObjectKind kind = ObjectKind::none;
    std::uint64_t object = 0;
    std::uint64_t id = 0;   // unique per wait_begin: a cycle of the same waits has the same ids
    std::string name;       // a lock's display name (empty: none)
};

struct Holder {
    std::uint32_t thread = 0;
    std::int64_t level = 0; // an RLock's recursion level
};

struct Task {
    std::uint64_t executor = 0; // the executor's id (0: unknown)
    std::uint32_t worker = 0;   // the worker running it (0: still queued)
};

// One link of a cycle, as the report needs it: a copy taken under the detector's mutex.
struct Link {
    std::uint32_t thread = 0;
    Wait wait;
    std::uint32_t next = 0;          // the thread it waits for, in this cycle
    bool queued = false;             // a future still queued on a pool whose workers are all busy
    bool is_worker_of_pool = false;  // the waiting thread is a worker of that pool
    std::uint64_t executor = 0;
    std::string thread_name;         // from the events; empty: look it up
};

using CycleKey = std::vector<std::uint64_t>; // thread, wait id, thread, wait id, ...

bool is_lock(ObjectKind kind) { return kind == ObjectKind::lock || kind == ObjectKind::rlock; }
} // namespace

struct DeadlockDetector::State {
    Options options;

    mutable detail::Mutex mutex;
    std::unordered_map<std::uint32_t, Wait> waits;          // thread -> the wait it is in
    std::unordered_map<std::uint64_t, Holder> holders;      // Lock/RLock id -> who holds it
    std::unordered_map<std::uint64_t, Task> tasks;          // future serial -> its task
    std::unordered_map<std::uint32_t, std::uint64_t> busy;  // worker -> the future it runs
    std::unordered_map<std::uint64_t, std::set<std::uint32_t>> pool_workers; // executor -> workers
    std::unordered_map<std::uint32_t, std::string> names;   // thread -> name, from the events
    std::uint64_t next_wait_id = 1;

    std::map<CycleKey, double> candidates; // cycles seen, not yet reported: since when
    std::set<CycleKey> reported;           // reported cycles that still exist
    struct Interrupt {
        std::uint64_t wait_id;
        std::string message;
    };
    std::unordered_map<std::uint32_t, Interrupt> interrupts; // waits to end with DeadlockError
    std::vector<DeadlockReport> reports;

    detail::CondVar wake;
    bool stopping = false;
    detail::OsThread watchdog;

    void on_event(const Event& e);
    std::vector<std::uint32_t> targets(std::uint32_t thread, const Wait& wait) const;
    std::vector<std::vector<std::uint32_t>> cycles() const;
    Link link(std::uint32_t thread, std::uint32_t next) const;
    void tick(detail::UniqueLock& lock);
    void watch();
};

// [SECTION] Events ------------------------------------------------------------------------------

void DeadlockDetector::State::on_event(const Event& e) {
    std::lock_guard lock(mutex);
    switch (e.kind) {
    case Kind::thread_created:
    case Kind::thread_named:
        names[static_cast<std::uint32_t>(e.object)] = std::string(e.name);
        break;
    case Kind::thread_finished: {
        const auto serial = static_cast<std::uint32_t>(e.object);
        names.erase(serial);
        waits.erase(serial);
        interrupts.erase(serial);
        busy.erase(serial);
        for (auto it = pool_workers.begin(); it != pool_workers.end();) {
            it->second.erase(serial);
            it = it->second.empty() ? pool_workers.erase(it) : std::next(it);
        }
        break;
    }
    case Kind::wait_begin: {
        Wait& wait = waits[e.thread];
        wait.kind = e.object_kind;
        wait.object = e.object;
        wait.id = next_wait_id++;
        if (is_lock(e.object_kind))
            wait.name.assign(e.name);
        else
            wait.name.clear();
        if (e.object_kind == ObjectKind::work_queue) pool_workers[e.object].insert(e.thread);
        break;
    }
    case Kind::wait_end:
        waits.erase(e.thread);
        interrupts.erase(e.thread);
        break;
    case Kind::lock_acquired:
        if (is_lock(e.object_kind)) holders[e.object] = Holder{e.thread, e.count};
        break;
    case Kind::lock_released:
        // A Lock is free once released, by whichever thread; an RLock when its level is 0.
        if (e.object_kind == ObjectKind::lock || (e.object_kind == ObjectKind::rlock && e.count <= 0))
            holders.erase(e.object);
        else if (e.object_kind == ObjectKind::rlock)
            if (auto found = holders.find(e.object); found != holders.end()) found->second.level = e.count;
        break;
    case Kind::task_submitted:
        tasks[e.object] = Task{static_cast<std::uint64_t>(e.count), 0};
        break;
    case Kind::task_started: {
        Task& task = tasks[e.object];
        task.worker = e.thread;
        busy[e.thread] = e.object;
        if (task.executor) pool_workers[task.executor].insert(e.thread);
        break;
    }
    case Kind::task_done:
    case Kind::task_failed:
    case Kind::task_cancelled:
        if (auto found = tasks.find(e.object); found != tasks.end()) {
            if (auto worker = busy.find(found->second.worker); worker != busy.end() && worker->second == e.object)
                busy.erase(worker);
            tasks.erase(found);
        }
        break;
    case Kind::thread_started:
    case Kind::notified:
        break;
    }
}

DeadlockDetector::DeadlockDetector(Options options) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
    if (state_->options.break_cycles) detail::interrupts_enabled.fetch_add(1);
    events::add_observer(this);
    state_->watchdog = detail::OsThread([state = state_.get()] { state->watch(); });
}

DeadlockDetector::~DeadlockDetector() {
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
    }
    state_->wake.notify_all();
    state_->watchdog.join();
    events::remove_observer(this);
    if (state_->options.break_cycles) detail::interrupts_enabled.fetch_sub(1);
}

void DeadlockDetector::on_event(const Event& event) noexcept {
    try {
        state_->on_event(event);
    } catch (...) {
        // Out of memory: the graph misses an event; a deadlock may go unreported.
    }
}

std::vector<DeadlockReport> DeadlockDetector::reports() const {
    std::lock_guard lock(state_->mutex);
    return state_->reports;
}

// [SECTION] Graph -------------------------------------------------------------------------------

// The threads `thread` waits for, in its wait `wait`.
std::vector<std::uint32_t> DeadlockDetector::State::targets(std::uint32_t thread, const Wait& wait) const {
    switch (wait.kind) {
    case ObjectKind::lock:
    case ObjectKind::rlock: {
        auto found = holders.find(wait.object);
        if (found == holders.end() || found->second.thread == 0) return {};
        // A plain Lock may be released by any thread: waiting for one's own is a way to signal.
        if (found->second.thread == thread && wait.kind == ObjectKind::lock) return {};
        return {found->second.thread};
    }
    case ObjectKind::thread:
        return {static_cast<std::uint32_t>(wait.object)};
    case ObjectKind::future: {
        auto found = tasks.find(wait.object);
        if (found == tasks.end()) return {};
        if (found->second.worker) return {found->second.worker};
        // Queued: it waits for the pool's workers, if every one of them runs a task.
        auto workers = pool_workers.find(found->second.executor);
        if (!found->second.executor || workers == pool_workers.end() || workers->second.empty()) return {};
        for (std::uint32_t worker : workers->second)
            if (!busy.count(worker)) return {};
        return {workers->second.begin(), workers->second.end()};
    }
    default:
        return {};
    }
}

// Every elementary cycle, each once: it starts at its lowest serial.
std::vector<std::vector<std::uint32_t>> DeadlockDetector::State::cycles() const {
    std::map<std::uint32_t, std::vector<std::uint32_t>> edges;
    for (const auto& [thread, wait] : waits)
        if (auto to = targets(thread, wait); !to.empty()) edges.emplace(thread, std::move(to));
    std::vector<std::vector<std::uint32_t>> found;
    constexpr std::size_t max_cycles = 64;
    std::vector<std::uint32_t> path;
    for (const auto& edge : edges) {
        const std::uint32_t start = edge.first; // (clang 14 cannot capture a structured binding)
        // Depth-first, through threads above `start` only.
        auto visit = [&](auto& self, std::uint32_t node) -> void {
            if (found.size() >= max_cycles) return;
            path.push_back(node);
            auto out = edges.find(node);
            if (out != edges.end())
                for (std::uint32_t next : out->second) {
                    if (next == start)
                        found.push_back(path);
                    else if (next > start && std::find(path.begin(), path.end(), next) == path.end())
                        self(self, next);
                }
            path.pop_back();
        };
        visit(visit, start);
    }
    return found;
}

Link DeadlockDetector::State::link(std::uint32_t thread, std::uint32_t next) const {
    Link link;
    link.thread = thread;
    link.wait = waits.at(thread);
    link.next = next;
    if (auto name = names.find(thread); name != names.end()) link.thread_name = name->second;
    if (link.wait.kind == ObjectKind::future) {
        auto task = tasks.find(link.wait.object);
        if (task != tasks.end() && task->second.worker == 0) {
            link.queued = true;
            link.executor = task->second.executor;
            auto workers = pool_workers.find(link.executor);
            link.is_worker_of_pool = workers != pool_workers.end() && workers->second.count(thread);
        }
    }
    return link;
}

// [SECTION] Reports -----------------------------------------------------------------------------

namespace {
std::string hex_address(std::uint64_t id) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(id));
    return text;
}

std::string lock_display(const Wait& wait) {
    if (!wait.name.empty()) return wait.name;
    return std::string(wait.kind == ObjectKind::rlock ? "<RLock at " : "<Lock at ") + hex_address(wait.object) + ">";
}

std::string thread_display(std::uint32_t serial, const std::vector<Link>& cycle) {
    for (const Link& link : cycle)
        if (link.thread == serial && !link.thread_name.empty()) return link.thread_name;
    for (const Thread& thread : enumerate())
        if (thread.serial() == serial) return thread.name();
    return "<thread " + std::to_string(serial) + ">";
}

std::string message(const std::vector<Link>& cycle) {
    std::string text = "Deadlock: ";
    for (std::size_t i = 0; i < cycle.size(); ++i) {
        const Link& link = cycle[i];
        const Link& previous = cycle[(i + cycle.size() - 1) % cycle.size()];
        const std::string me = thread_display(link.thread, cycle);
        const std::string next = thread_display(link.next, cycle);
        if (i) text += "; ";
        text += me;
        // The lock the previous thread waits for is held by this one.
        if (is_lock(previous.wait.kind)) text += " holds " + lock_display(previous.wait) + " and";
        switch (link.wait.kind) {
        case ObjectKind::lock:
        case ObjectKind::rlock:
            text += " waits for " + lock_display(link.wait); // the next one "holds" it
            break;
        case ObjectKind::thread:
            text += " waits for " + next + " to finish";
            break;
        case ObjectKind::future:
            if (link.queued) {
                const int max_workers = detail::executor_max_workers(link.executor);
                const std::string workers = max_workers > 0 ? " (max_workers=" + std::to_string(max_workers) + ")" : "";
                if (link.is_worker_of_pool)
                    text += " runs a task that waits for a future queued behind it on the same pool" + workers;
                else
                    text += " waits for a future queued on a pool whose workers are all busy" + workers;
            } else if (link.next == link.thread) {
                text += " runs a task that waits for its own result";
            } else {
                text += " waits for the result of a task running on " + next;
            }
            break;
        default:
            text += " waits for " + next;
            break;
        }
    }
    return text;
}
} // namespace

std::string detail::deadlock_message(const std::vector<WaitForLink>& cycle) {
    std::vector<Link> links;
    for (const WaitForLink& w : cycle) {
        Link link;
        link.thread = static_cast<std::uint32_t>(w.thread);
        link.next = static_cast<std::uint32_t>(w.next);
        link.thread_name = w.thread_name;
        link.wait.kind = w.kind;
        link.wait.object = w.object;
        link.wait.name = w.object_name;
        link.queued = w.queued_on != 0;
        link.executor = w.queued_on;
        link.is_worker_of_pool = w.is_worker_of_pool;
        links.push_back(std::move(link));
    }
    return message(links);
}

void DeadlockDetector::State::tick(detail::UniqueLock& lock) {
    const double now = perf_counter();
    std::map<CycleKey, double> still;
    std::set<CycleKey> still_reported;
    std::vector<std::pair<CycleKey, std::vector<Link>>> due;
    for (const auto& cycle : cycles()) {
        CycleKey key;
        for (std::uint32_t thread : cycle) {
            key.push_back(thread);
            key.push_back(waits.at(thread).id);
        }
        if (reported.count(key)) {
            still_reported.insert(key);
            continue;
        }
        auto seen = candidates.find(key);
        const double since = seen == candidates.end() ? now : seen->second;
        if (now - since >= options.persist_seconds) {
            std::vector<Link> links;
            for (std::size_t i = 0; i < cycle.size(); ++i) links.push_back(link(cycle[i], cycle[(i + 1) % cycle.size()]));
            due.emplace_back(key, std::move(links));
            still_reported.insert(key);
        } else {
            still.emplace(key, since);
        }
    }
    candidates = std::move(still);
    reported = std::move(still_reported);

    // Ask again for the interrupts not yet taken (the thread may not have registered its wait).
    for (const auto& [thread, interrupt] : interrupts) {
        auto wait = waits.find(thread);
        if (wait != waits.end() && wait->second.id == interrupt.wait_id) detail::interrupt(thread, interrupt.message);
    }
    if (due.empty()) return;

    // Names and pool sizes are looked up, and the callback called, without the mutex.
    lock.unlock();
    std::vector<DeadlockReport> made;
    for (auto& [key, links] : due) {
        DeadlockReport report;
        report.message = message(links);
        for (const Link& link : links) {
            report.threads.push_back(link.thread);
            report.objects.push_back(link.wait.object);
            report.kinds.push_back(link.wait.kind);
        }
        report.detected_at = perf_counter();
        made.push_back(std::move(report));
    }
    lock.lock();
    for (std::size_t i = 0; i < made.size(); ++i) {
        reports.push_back(made[i]);
        if (!options.break_cycles) continue;
        const CycleKey& key = due[i].first;
        for (std::size_t k = 0; k + 1 < key.size(); k += 2)
            interrupts[static_cast<std::uint32_t>(key[k])] = Interrupt{key[k + 1], made[i].message};
    }
    lock.unlock();
    for (const DeadlockReport& report : made) {
        try {
            if (options.on_deadlock) {
                options.on_deadlock(report);
            } else {
                std::string line = report.message + "\n";
                std::fputs(line.c_str(), stderr);
                std::fflush(stderr);
            }
        } catch (...) {
        }
    }
    lock.lock();
    for (const auto& [thread, interrupt] : interrupts) {
        auto wait = waits.find(thread);
        if (wait != waits.end() && wait->second.id == interrupt.wait_id) detail::interrupt(thread, interrupt.message);
    }
}

void DeadlockDetector::State::watch() {
    std::unique_lock lock(mutex);
    const auto poll = std::chrono::duration<double>(options.poll_seconds);
    while (!stopping) {
        wake.wait_for(lock, poll);
        if (stopping) break;
        tick(lock);
    }
}

} // namespace threadlab
