// bench/workloads.hpp - the groups of workloads bench_threadlab runs, one function per file.
#pragma once

#include "harness.hpp"

namespace bench {
void executor_workloads(const Config& config); // executor_bench.cpp: submit, map, as_completed, latency
void thread_workloads(const Config& config);   // thread_bench.cpp: start + join
void lock_workloads(const Config& config);     // lock_bench.cpp: Lock, RLock, Condition, Event
void tutorial_workloads(const Config& config); // tutorial_bench.cpp: the tutorial's sleeps and downloads
void events_workloads(const Config& config);   // events_compare.cpp: the event stream's cost
void handoff_workloads(const Config& config);  // handoff_compare.cpp: os threads against sim fibers
} // namespace bench
