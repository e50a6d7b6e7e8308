// bench/lock_loops.hpp - the lock workloads' loops, for any type with lock()/unlock(): lock_bench.cpp
// runs them on Threadlab and the standard library, events_bench.cpp on the library with and
// without its event stream.
#pragma once

#include "harness.hpp"

#include <thread>

namespace bench {

inline volatile long counter_sink;

// n lock + increment + unlock in one thread.
template <class M> double uncontended(M& m, int n) {
    return time_s([&] {
        long counter = 0;
        for (int i = 0; i < n; ++i) {
            m.lock();
            ++counter;
            m.unlock();
        }
        counter_sink = counter;
    });
}

// 2 threads each increment a shared counter n_per_thread times under the lock.
template <class M> double contended(M& m, int n_per_thread) {
    long counter = 0;
    auto body = [&] {
        for (int i = 0; i < n_per_thread; ++i) {
            m.lock();
            ++counter;
            m.unlock();
        }
    };
    double t = time_s([&] {
        std::thread other(body);
        body();
        other.join();
    });
    counter_sink = counter;
    return t;
}

} // namespace bench
