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

#include <string>
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

#ifdef THREADLAB_SIM
namespace {
// Two Threads each add 1 twice to an unlocked shared<long>: 4, or fewer when an update is lost.
std::string race() {
    threadlab::shared<long> counter{0};
    auto add = [&] {
        for (int i = 0; i < 2; ++i) counter += 1;
    };
    threadlab::Thread one(add), two(add);
    one.start();
    two.start();
    one.join();
    two.join();
    return "counter=" + std::to_string(counter.load());
}

// Explorations run on the virtual clock (as sim.hpp advises); the groups after them keep wall time.
template <class F> double time_on_virtual_clock(F&& fn) {
    threadlab::sim::set_virtual_clock(true);
    const double seconds = time_s(fn);
    threadlab::sim::set_virtual_clock(false);
    return seconds;
}
} // namespace

double explore_seeds(int runs) {
    return time_on_virtual_clock([&] { threadlab::sim::explore(race, runs); });
}

double explore_schedules(int max_preemptions, int& runs) {
    return time_on_virtual_clock([&] { runs = threadlab::sim::explore_schedules(race, max_preemptions).runs; });
}
#endif

} // namespace bench::BENCH_HANDOFF_NS

