// threadlab/trace.hpp - what threads and tasks did, and when, for a viewer that reads it live.
//
// The library records an event when a thread is created, starts and ends, and when a pool task
// is submitted, starts and ends. Appending takes no lock (one atomic increment and a 32-byte
// record), so threads that record at once do not wait for one another; a viewer reads
// incrementally with read(from, out) while threads run. Tracing is off by default (recording
// three events per pool task roughly halves the pool's throughput on trivial tasks);
// set_enabled(true) turns it on. The buffer keeps the newest `capacity()` events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace threadlab::trace {

enum class Kind : std::uint8_t {
    thread_created,  // Thread object made (not started yet)
    thread_started,  // its OS thread began running the target
    thread_finished, // the target returned
    thread_failed,   // the target threw (excepthook was called)
    task_submitted,  // executor.submit queued a future
    task_started,    // a worker began running it
    task_done,       // it returned a result
    task_failed,     // it threw
    task_cancelled,  // it was cancelled before it started
};

const char* kind_name(Kind kind);

struct Event {
    std::uint64_t seq;    // position in the whole trace, from 0
    double time;          // perf_counter() seconds
    Kind kind;
    std::uint32_t thread; // serial of the thread the event is about, or that ran the task (0: none)
    std::uint64_t task;   // serial of the future, for task events; 0 for thread events
};

// Append the events with seq >= from to `out`; returns the seq to pass next time. Events that
// were dropped because the buffer was full are skipped (the first one read may have seq > from).
std::uint64_t read(std::uint64_t from, std::vector<Event>& out);

// The name of the thread with this serial ("Thread-3 (do_something)"), empty if unknown. Names
// are kept for the newest 65,536 threads, whether recording is on or not.
std::string thread_name(std::uint32_t serial);

void set_enabled(bool on);
bool enabled();
std::size_t capacity();
// Forget all events (seq keeps counting up, so readers stay consistent).
void clear();

// For the library itself: record an event now (cheap no-op when disabled).
void record(Kind kind, std::uint32_t thread, std::uint64_t task = 0);
void name_thread(std::uint32_t serial, std::string name);

} // namespace threadlab::trace
