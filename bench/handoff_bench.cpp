// bench/handoff_bench.cpp - what a thread hand-off costs on each backend (platform.hpp).
//
// This file is compiled twice. In bench_threadlab it uses threadlab:: as built by default (the os
// backend: one OS thread per Thread) and defines bench::handoff_os::*. In the object library
// bench_handoff_sim (bench/CMakeLists.txt) the macro threadlab=threadlab_sim turns every
// threadlab:: into threadlab_sim:: - a second copy of the library built with THREADLAB_SIM, where
// every Thread is a fiber of the calling OS thread - and it defines bench::handoff_sim::*.
// The groups in handoff_compare below run both side by side.
#include "handoff_bench.hpp"

#include <threadlab/threadlab.hpp>

#include <vector>

#ifndef BENCH_HANDOFF_NS
#define BENCH_HANDOFF_NS handoff_os
#endif

namespace bench::BENCH_HANDOFF_NS {

double ping_pong(int round_trips) {
    threadlab::Semaphore ping(0), pong(0);
    threadlab::Thread partner([&] {
        for (int i = 0; i < round_trips; ++i) {
            ping.acquire();
            pong.release();
        }
    });
    partner.start();
    double seconds = time_s([&] {
        for (int i = 0; i < round_trips; ++i) {
            ping.release();
            pong.acquire();
        }
    });
    partner.join();
    return seconds;
}

double sleepers(int count, double seconds) {
    return time_s([&] {
        std::vector<threadlab::Thread> threads;
        threads.reserve(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            threads.emplace_back([seconds] { threadlab::sleep(seconds); });
            threads.back().start();
        }
        for (auto& t : threads) t.join();
    });
}

} // namespace bench::BENCH_HANDOFF_NS

