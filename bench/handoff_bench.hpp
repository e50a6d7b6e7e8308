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
}
#undef BENCH_HANDOFF_DECLARE
} // namespace bench
