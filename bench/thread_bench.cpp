// bench/thread_bench.cpp - threading.Thread start + join against raw std::thread.
//
// threads.start_join.sequential  N times: start a thread that does nothing, join it
// threads.start_join.all         start N threads, then join them all
#include "workloads.hpp"

#include <threadlab/threadlab.hpp>

#include <thread>
#include <vector>

namespace bench {
namespace {

void nothing() {}

double threadlab_sequential(int n) {
    return time_s([&] {
        for (int i = 0; i < n; ++i) {
            threadlab::Thread t(nothing);
            t.start();
            t.join();
        }
    });
}

double std_sequential(int n) {
    return time_s([&] {
        for (int i = 0; i < n; ++i) {
            std::thread t(nothing);
            t.join();
        }
    });
}

double threadlab_all(int n) {
    return time_s([&] {
        std::vector<threadlab::Thread> threads;
        threads.reserve(n);
        for (int i = 0; i < n; ++i) {
            threads.emplace_back(nothing);
            threads.back().start();
        }
        for (auto& t : threads) t.join();
    });
}

double std_all(int n) {
    return time_s([&] {
        std::vector<std::thread> threads;
        threads.reserve(n);
        for (int i = 0; i < n; ++i) threads.emplace_back(nothing);
        for (auto& t : threads) t.join();
    });
}

} // namespace

void thread_workloads(const Config& config) {
    const int n = config.quick ? 20 : 1000;
    run_group(config, "threads.start_join.sequential", n,
              {{"threadlab", [=] { return threadlab_sequential(n); }}, {"std_thread", [=] { return std_sequential(n); }}});
    run_group(config, "threads.start_join.all", n,
              {{"threadlab", [=] { return threadlab_all(n); }}, {"std_thread", [=] { return std_all(n); }}});
}

} // namespace bench
