// threadlab/trace_export.hpp - the event stream as a Chrome trace-event JSON file (a C++ extension).
//
// The file loads in Perfetto (https://ui.perfetto.dev, "Open trace file") and chrome://tracing:
//   - one row per thread (thread_name metadata, tid = the thread's serial), in order of appearance;
//   - one complete ("X") event per state slice, named by state_name() ("blocked on a lock"), with
//     args: object (its display name, or its kind), holder (the thread holding a lock waited
//     for), task (a future's serial);
//   - a "GIL" row (tid 0x7fffffff) with one slice per span a thread held the emulated GIL, named
//     after that thread, when the GIL emulation ran;
//   - flow events ("s" then "f", one id per Flow) for lock hand-offs, wake-ups and submits.
// Timestamps are microseconds from the earliest event.
//
// THREADLAB_TRACE=file.json in the environment: a program using the library records from its
// start (a Recorder of THREADLAB_TRACE_EVENTS events, default 262,144: the newest are kept) and
// writes the file at exit. Unset, it costs one getenv at startup.
#pragma once

#include "thread_states.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace threadlab::events {

// The JSON text of `states`. `name_of` names lanes never seen named (threads named before
// recording began); without it, or if it returns "", the live threads (enumerate()) do, else
// such a lane is "Thread (serial N)".
std::string chrome_trace_json(const ThreadStates& states,
                              const std::function<std::string(std::uint32_t)>& name_of = {});

// Start the process-wide trace Recorder (what THREADLAB_TRACE does at startup) if it is not
// running yet: for a program or an app that decides at run time (--trace FILE).
void start_trace(std::size_t capacity = 1 << 18);
// Whether the process-wide trace Recorder runs.
bool tracing();
// Write what the process-wide Recorder holds so far (an empty trace if it never ran) to `path`.
// OSError as Python's open() words it: "[Errno 2] No such file or directory: 'x/y.json'".
void write_chrome_trace(const std::string& path);

} // namespace threadlab::events
