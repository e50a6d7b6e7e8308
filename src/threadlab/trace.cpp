#include "trace.hpp"

#include "timing.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace threadlab::trace {
namespace {
// A ring of the newest events; seq numbers keep growing so readers can tell what they missed.
constexpr std::size_t ring_capacity = 1 << 16; // 2 MiB: a playground run of 1,000 tasks makes ~4,000

struct Buffer {
    std::mutex mutex;
    std::vector<Event> ring = std::vector<Event>(ring_capacity);
    std::uint64_t next_seq = 0;  // seq of the next event recorded
    std::uint64_t first_seq = 0; // oldest seq still held
    std::unordered_map<std::uint32_t, std::string> names;
};

Buffer& buffer() {
    static Buffer* b = new Buffer; // never destroyed: threads may record during exit
    return *b;
}
std::atomic<bool> on{true};
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
    std::lock_guard lock(b.mutex);
    std::uint64_t seq = b.next_seq++;
    b.ring[seq % ring_capacity] = Event{seq, now, kind, thread, task};
    if (b.next_seq - b.first_seq > ring_capacity) b.first_seq = b.next_seq - ring_capacity;
}

std::uint64_t read(std::uint64_t from, std::vector<Event>& out) {
    Buffer& b = buffer();
    std::lock_guard lock(b.mutex);
    std::uint64_t seq = from < b.first_seq ? b.first_seq : from;
    for (; seq < b.next_seq; ++seq) out.push_back(b.ring[seq % ring_capacity]);
    return b.next_seq;
}

void name_thread(std::uint32_t serial, std::string name) {
    Buffer& b = buffer();
    std::lock_guard lock(b.mutex);
    b.names[serial] = std::move(name);
}

std::string thread_name(std::uint32_t serial) {
    Buffer& b = buffer();
    std::lock_guard lock(b.mutex);
    auto found = b.names.find(serial);
    return found == b.names.end() ? std::string() : found->second;
}

void set_enabled(bool enabled) { on.store(enabled); }
bool enabled() { return on.load(); }
std::size_t capacity() { return ring_capacity; }

void clear() {
    Buffer& b = buffer();
    std::lock_guard lock(b.mutex);
    b.first_seq = b.next_seq;
}

} // namespace threadlab::trace
