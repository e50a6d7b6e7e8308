// bench/events_bench.cpp - what the event stream costs: the same work on the library built with the
// stream (the default) and without it (THREADLAB_NO_EVENTS), in one process.
//
// This file is compiled twice. In bench_threadlab it uses threadlab:: as built by default and
// defines bench::events_on::*. In the object library bench_events_off (bench/CMakeLists.txt) the
// macro threadlab=threadlab_noevents turns every threadlab:: into threadlab_noevents:: - a second
// copy of the library compiled with THREADLAB_NO_EVENTS - and it defines bench::events_off::*.
// events_compare.cpp runs both side by side.
#include "events_bench.hpp"
#include "lock_loops.hpp"

#include <threadlab/threadlab.hpp>

#include <thread>
#include <vector>

#ifndef BENCH_EVENTS_NS
#define BENCH_EVENTS_NS events_on
#endif

namespace bench::BENCH_EVENTS_NS {
namespace {
volatile long sink;

int trivial_task(int i) { return i + 1; }

// acquire/release as the Python program spells them.
struct LockOps {
    threadlab::Lock l;
    void lock() { l.acquire(); }
    void unlock() { l.release(); }
};

// A Recorder installed for the scope when `record` (with the stream compiled out: never called).
struct MaybeRecording {
    threadlab::events::Recorder recorder;
    bool on;
    explicit MaybeRecording(bool record) : on(record) {
        if (on) threadlab::events::add_observer(&recorder);
    }
    ~MaybeRecording() {
        if (on) threadlab::events::remove_observer(&recorder);
    }
};
} // namespace

double lock_uncontended(int n, bool record) {
    LockOps ops;
    MaybeRecording recording(record);
    return uncontended(ops, n);
}

double lock_contended(int n_per_thread, bool record) {
    LockOps ops;
    MaybeRecording recording(record);
    return contended(ops, n_per_thread);
}

double submit_result(int n, int workers, bool record) {
    MaybeRecording recording(record);
    return time_s([&] {
        threadlab::ThreadPoolExecutor executor(workers);
        std::vector<threadlab::Future<int>> futures;
        futures.reserve(n);
        for (int i = 0; i < n; ++i) futures.push_back(executor.submit(trivial_task, i));
        long sum = 0;
        for (auto& f : futures) sum += f.result();
        sink = sum;
    });
}

} // namespace bench::BENCH_EVENTS_NS
