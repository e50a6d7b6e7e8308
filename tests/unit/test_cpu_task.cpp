// The CPU task's calibration: a task of N seconds takes N seconds alone on one core.
#include <doctest/doctest.h>

#include <threadlab/threadlab.hpp>

#include "tasks/cpu_task.hpp"

using threadlab::tasks::CpuWork;

namespace {

struct Timing { // natively the CPU time is this thread's; in wasm it is the wall time too
    double wall = 0, cpu = 0;
    int attempts = 0;
};

// Runs a task of `seconds`, sized afresh each time, up to 3 times until its CPU time is within
// [least, most]. A busy machine makes a task longer; in wasm, where the CPU clock is the wall
// clock, a calibration taken on a busy machine or before the optimised code arrived makes the
// first task shorter, and the passes of that task correct the rate for the next one.
Timing time_task(double seconds, double least, double most) {
    Timing t;
    do {
        const CpuWork work = threadlab::tasks::cpu_work_for_seconds(seconds);
        const double wall = threadlab::perf_counter(), cpu = threadlab::tasks::thread_cpu_seconds();
        CHECK(threadlab::tasks::count_primes(work, nullptr) > 0);
        t.wall = threadlab::perf_counter() - wall;
        t.cpu = threadlab::tasks::thread_cpu_seconds() - cpu;
    } while (++t.attempts < 3 && (t.cpu < least || t.cpu > most));
    return t;
}

} // namespace

TEST_CASE("Tasks.cpu task of N seconds takes N seconds alone") {
    // Generous bounds, checked on the CPU clock (natively this thread's, which another process's
    // work does not lengthen; in wasm the wall clock) of the first of up to 3 attempts within
    // them; the wall time cannot be shorter, and is reported.
    struct Case {
        double seconds, least, most;
    };
    for (const Case& c : {Case{0.5, 0.35, 0.75}, Case{2.0, 1.5, 2.6}}) {
        const Timing t = time_task(c.seconds, c.least, c.most);
        INFO(c.seconds << " s task: " << t.wall << " s wall, " << t.cpu << " s CPU (attempt " << t.attempts << ")");
        MESSAGE(c.seconds << " s task: " << t.wall << " s wall, " << t.cpu << " s CPU (attempt " << t.attempts << ")");
        CHECK(t.cpu >= c.least);
        CHECK(t.cpu <= c.most);
        CHECK(t.wall >= c.least);
        if (t.wall > c.most) MESSAGE("the machine is busy: the wall time is over " << c.most << " s");
    }
}

TEST_CASE("Tasks.cpu work is the same block counted again, so every pass costs the same") {
    const CpuWork small = threadlab::tasks::cpu_work_for_seconds(0.001);
    const CpuWork large = threadlab::tasks::cpu_work_for_seconds(10);
    CHECK(small.repeats == 1);
    CHECK(small.first == threadlab::tasks::kCpuFirst);
    CHECK(large.first == threadlab::tasks::kCpuFirst);
    CHECK(large.last - large.first <= threadlab::tasks::kCpuBlock);
    CHECK(large.last - large.first > threadlab::tasks::kCpuBlock / 2);
    CHECK(large.repeats > 1);
    // The count is one pass's: the primes between first and last, however many times counted.
    const CpuWork once{100, 200, 1}, thrice{100, 200, 3};
    CHECK(threadlab::tasks::count_primes(once, nullptr) == 21);
    CHECK(threadlab::tasks::count_primes(thrice, nullptr) == 21);
    std::atomic<bool> cancel{true};
    CHECK(threadlab::tasks::count_primes({0, 5000, 1}, &cancel) == -1);
}
