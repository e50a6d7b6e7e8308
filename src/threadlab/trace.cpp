#include "trace.hpp"

#include "timing.hpp"

#include <algorithm>
#include <deque>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace threadlab::trace {
namespace {
// A ring of the newest events; seq numbers keep growing so readers can tell what they missed.
constexpr std::size_t max_names = 1 << 16; // a program that starts threads forever keeps a bounded map
constexpr std::size_t ring_capacity = 1 << 16; // 2 MiB: a playground run of 1,000 tasks makes ~4,000

// Recording takes no lock: pool workers and submitters record several events per task, and a
// shared mutex there serialised them (and, taken inside the executor's own lock, made threads
// queue behind one another). A writer claims a seq with one fetch_add and publishes its slot
// seqlock-style: stamp 2*seq+1 while writing, 2*seq+2 once the event is complete. Fields are
// relaxed atomics so that a reader racing with a writer reads no torn values.
struct Slot {
    std::atomic<std::uint64_t> stamp{0};
    std::atomic<double> time{0};
    std::atomic<std::uint64_t> task{0};
    std::atomic<std::uint32_t> thread{0};
    std::atomic<Kind> kind{Kind::thread_created};
};

struct Buffer {
    std::unique_ptr<Slot[]> ring{new Slot[ring_capacity]};
    std::atomic<std::uint64_t> next_seq{0};    // seq of the next event recorded
    std::atomic<std::uint64_t> cleared_seq{0}; // events before this were forgotten by clear()
    std::mutex names_mutex;
    std::unordered_map<std::uint32_t, std::string> names;
    std::deque<std::uint32_t> named_order; // serials in the order first named: the oldest goes first
};

Buffer& buffer() {
    static Buffer* b = new Buffer; // never destroyed: threads may record during exit
    return *b;
}
std::atomic<bool> on{false}; // off unless a viewer wants it: recording costs pool tasks ~0.5 us

constexpr std::uint64_t writing(std::uint64_t seq) { return 2 * seq + 1; }
constexpr std::uint64_t written(std::uint64_t seq) { return 2 * seq + 2; }
} // namespace

const char* kind_name(Kind kind) {
    switch (kind) {
    case Kind::thread_created: return "thread_created";
    case Kind::thread_started: return "thread_started";
    case Kind::thread_finished: return "thread_finished";
    case Kind::thread_failed: return "thread_failed";
    case Kind::task_submitted: return "task_submitted";
    case Kind::task_started: return "task_started";
    case Kind::task_done: return "task_done";
    case Kind::task_failed: return "task_failed";
    case Kind::task_cancelled: return "task_cancelled";
    }
    return "unknown";
}

void record(Kind kind, std::uint32_t thread, std::uint64_t task) {
    if (!on.load(std::memory_order_relaxed)) return;
    double now = perf_counter();
    Buffer& b = buffer();
    std::uint64_t seq = b.next_seq.fetch_add(1, std::memory_order_relaxed);
    Slot& slot = b.ring[seq % ring_capacity];
    // Claim the slot unless a writer of a newer lap (seq + capacity) already did: then this event
    // counts as overwritten, which it would have been a moment later anyway.
    std::uint64_t stamp = slot.stamp.load(std::memory_order_relaxed);
    do {
        if (stamp >= writing(seq)) return;
    } while (!slot.stamp.compare_exchange_weak(stamp, writing(seq), std::memory_order_relaxed));
    std::atomic_thread_fence(std::memory_order_release);
    slot.time.store(now, std::memory_order_relaxed);
    slot.task.store(task, std::memory_order_relaxed);
    slot.thread.store(thread, std::memory_order_relaxed);
    slot.kind.store(kind, std::memory_order_relaxed);
    std::uint64_t mine = writing(seq);
    slot.stamp.compare_exchange_strong(mine, written(seq), std::memory_order_release, std::memory_order_relaxed);
}

std::uint64_t read(std::uint64_t from, std::vector<Event>& out) {
    Buffer& b = buffer();
    std::uint64_t end = b.next_seq.load(std::memory_order_acquire);
    std::uint64_t seq = std::max({from, b.cleared_seq.load(std::memory_order_acquire),
                                  end > ring_capacity ? end - ring_capacity : std::uint64_t{0}});
    for (; seq < end; ++seq) {
        Slot& slot = b.ring[seq % ring_capacity];
        for (;;) {
            std::uint64_t before = slot.stamp.load(std::memory_order_acquire);
            if (before > written(seq)) break; // overwritten by a newer lap: dropped
            if (before < written(seq)) {
                // Claimed (seq < end) but not yet complete: its writer is between two instructions.
                std::this_thread::yield();
                continue;
            }
            Event event{seq, slot.time.load(std::memory_order_relaxed), slot.kind.load(std::memory_order_relaxed),
                        slot.thread.load(std::memory_order_relaxed), slot.task.load(std::memory_order_relaxed)};
            std::atomic_thread_fence(std::memory_order_acquire);
            if (slot.stamp.load(std::memory_order_relaxed) == before) out.push_back(event);
            break;
        }
    }
    return end;
}

void name_thread(std::uint32_t serial, std::string name) {
    Buffer& b = buffer();
    std::lock_guard lock(b.names_mutex);
    auto [slot, added] = b.names.try_emplace(serial);
    slot->second = std::move(name);
    if (!added) return;
    b.named_order.push_back(serial);
    if (b.named_order.size() > max_names) {
        b.names.erase(b.named_order.front());
        b.named_order.pop_front();
    }
}

std::string thread_name(std::uint32_t serial) {
    Buffer& b = buffer();
    std::lock_guard lock(b.names_mutex);
    auto found = b.names.find(serial);
    return found == b.names.end() ? std::string() : found->second;
}

void set_enabled(bool enabled) { on.store(enabled); }
bool enabled() { return on.load(); }
std::size_t capacity() { return ring_capacity; }

void clear() {
    Buffer& b = buffer();
    b.cleared_seq.store(b.next_seq.load(std::memory_order_acquire), std::memory_order_release);
}

} // namespace threadlab::trace
