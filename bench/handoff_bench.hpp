// bench/handoff_bench.hpp - OS threads against simulated ones, built twice (see handoff_bench.cpp).
#pragma once

#include "harness.hpp"

namespace bench {
#define BENCH_HANDOFF_DECLARE                                                                                          \
    double ping_pong(int round_trips);        /* two Threads hand a Semaphore back and forth */                       \
    double sleepers(int threads, double seconds); /* start n Threads that each sleep, join them all */
namespace handoff_os {
BENCH_HANDOFF_DECLARE
}
namespace handoff_sim {
BENCH_HANDOFF_DECLARE
// The race of two Threads x two unlocked increments, explored: under `runs` seeds, in this process
// (sim::explore), or every schedule within the bound, each run a forked child
// (sim::explore_schedules; `runs` is set to how many there were).
double explore_seeds(int runs);
double explore_schedules(int max_preemptions, int& runs);
}
#undef BENCH_HANDOFF_DECLARE
} // namespace bench
