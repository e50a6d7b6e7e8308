// bench/events_bench.hpp - the event stream's cost workloads, built twice (see events_bench.cpp).
#pragma once

#include "harness.hpp"

namespace bench {
#define BENCH_EVENTS_DECLARE                                                                                            \
    double lock_uncontended(int n, bool record);        /* n acquire+release in one thread */                          \
    double lock_contended(int n_per_thread, bool record); /* 2 threads, n each */                                        \
    double submit_result(int n, int workers, bool record); /* ThreadPoolExecutor submit + result */
namespace events_on {
BENCH_EVENTS_DECLARE
}
namespace events_off {
BENCH_EVENTS_DECLARE
}
#undef BENCH_EVENTS_DECLARE
} // namespace bench
