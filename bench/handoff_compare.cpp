// bench/handoff_compare.cpp - the two backends side by side in one run (handoff_bench.cpp):
//
//   backend.ping_pong    two Threads pass a Semaphore back and forth; per hand-off (half a round trip)
//   backend.sleepers     start 1000 Threads that each sleep 50 ms, then join them all
//   sim.explore          the race of 2 Threads x 2 unlocked increments, per run: every schedule
//                        with at most 2 preemptions (a forked child each) against as many seeds
//                        run in this process
//
// Variants: threadlab_os (an OS thread per Thread: a hand-off is a futex wake-up and a context
// switch by the kernel) and threadlab_sim (fibers under the seeded scheduler, wall clock: a
// hand-off is a draw and a user-space context switch).
#include "handoff_bench.hpp"
#include "workloads.hpp"

namespace bench {

void handoff_workloads(const Config& config) {
    const int trips = config.quick ? 200 : 100000;
    run_group(config, "backend.ping_pong", 2.0 * trips,
              {{"threadlab_os", [=] { return handoff_os::ping_pong(trips); }},
               {"threadlab_sim", [=] { return handoff_sim::ping_pong(trips); }}});
    const int threads = config.quick ? 20 : 1000;
    run_group(config, "backend.sleepers", 1,
              {{"threadlab_os", [=] { return handoff_os::sleepers(threads, 0.05); }},
               {"threadlab_sim", [=] { return handoff_sim::sleepers(threads, 0.05); }}});
#ifndef __EMSCRIPTEN__ // explore_schedules forks
    if (!selected(config, "sim.explore")) return;
    int schedules = 0;
    handoff_sim::explore_schedules(2, schedules); // how many runs the bound gives (139)
    run_group(config, "sim.explore", schedules,
              {{"schedules_forked", [&] { return handoff_sim::explore_schedules(2, schedules); }},
               {"seeds_in_process", [=] { return handoff_sim::explore_seeds(schedules); }}});
#endif
}

} // namespace bench
