// bench/events_compare.cpp - the event stream's cost, side by side in one run:
//
//   events.lock.uncontended   Lock acquire + release in one thread
//   events.lock.contended     2 threads each increment a shared counter under one Lock
//   events.submit             ThreadPoolExecutor(4): submit + result of N trivial tasks
//
// Variants: threadlab (the stream compiled in, no observer: what every program pays),
// threadlab_no_events (the library built with THREADLAB_NO_EVENTS) and threadlab_recorder
// (an events::Recorder installed). bench/report.py prints the ratios.
#include "events_bench.hpp"
#include "workloads.hpp"

namespace bench {

void events_workloads(const Config& config) {
    const int locks = config.quick ? 10000 : 10000000;
    run_group(config, "events.lock.uncontended", locks,
              {{"threadlab", [=] { return events_on::lock_uncontended(locks, false); }},
               {"threadlab_no_events", [=] { return events_off::lock_uncontended(locks, false); }},
               {"threadlab_recorder", [=] { return events_on::lock_uncontended(locks, true); }}});
    const int per_thread = config.quick ? 10000 : 2000000;
    run_group(config, "events.lock.contended", 2.0 * per_thread,
              {{"threadlab", [=] { return events_on::lock_contended(per_thread, false); }},
               {"threadlab_no_events", [=] { return events_off::lock_contended(per_thread, false); }},
               {"threadlab_recorder", [=] { return events_on::lock_contended(per_thread, true); }}});
    const int tasks = config.quick ? 2000 : 100000;
    run_group(config, "events.submit", tasks,
              {{"threadlab", [=] { return events_on::submit_result(tasks, 4, false); }},
               {"threadlab_no_events", [=] { return events_off::submit_result(tasks, 4, false); }},
               {"threadlab_recorder", [=] { return events_on::submit_result(tasks, 4, true); }}});
}

} // namespace bench
