#include "tasks/cpu_task.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <mutex>
#include <threadlab/gil.hpp>
#include <threadlab/threadlab.hpp>

namespace threadlab::tasks {
namespace {

bool is_prime(std::uint64_t n) {
    if (n < 2) return false;
    if (n % 2 == 0) return n == 2;
    for (std::uint64_t d = 3; d * d <= n; d += 2)
        if (n % d == 0) return false;
    return true;
}

// Numbers counted a second on one core, in the block every task counts: the fastest pass over the
// block seen so far, timed on this thread's CPU clock. Everything that distorts a pass (a machine
// busy with something else, which in wasm the wall clock counts; the baseline compiler before the
// optimised code arrives; waiting for the GIL; other fibers running at a checkpoint) only makes it
// slower, so the fastest is the closest to one core alone, and every task's passes may raise it.
std::atomic<bool> calibrated{false};
std::atomic<double> fastest_rate{0};

void note_pass(std::uint64_t numbers, double took) {
    if (numbers < kCpuBlock / 2 || took <= 0) return; // a short pass is mostly the clock's grain
    const double rate = static_cast<double>(numbers) / took;
    double seen = fastest_rate.load(std::memory_order_relaxed);
    while (rate > seen && !fastest_rate.compare_exchange_weak(seen, rate, std::memory_order_relaxed)) {
    }
}

double numbers_per_second() {
    static std::once_flag once;
    std::call_once(once, [] {
        const CpuWork block{kCpuFirst, kCpuFirst + kCpuBlock, 1};
        const double start = perf_counter();
        double fastest = 1e300, improved_at = start;
        [[maybe_unused]] volatile std::int64_t found = 0; // kept, so the compiler cannot drop the call
        // At least 5 passes and a quarter second, then on until the fastest has not improved by
        // 2% for a tenth of a second (a second at most): in a browser the first passes run in the
        // baseline compiler (Liftoff) until the optimised code arrives, later on a busy machine.
        // A rate taken too early makes the first tasks shorter than asked; later passes correct it.
        for (int pass = 0;; ++pass) {
            const double t = thread_cpu_seconds();
            found = count_primes(block, nullptr); // notes its own pass
            const double took = thread_cpu_seconds() - t;
            const double now = perf_counter();
            if (took < fastest * 0.98) improved_at = now;
            fastest = std::min(fastest, took);
            if (pass >= 4 && now - start >= 0.25 && (now - improved_at >= 0.1 || now - start >= 1.0)) break;
        }
        calibrated.store(true, std::memory_order_release);
    });
    return fastest_rate.load(std::memory_order_relaxed);
}

} // namespace

double thread_cpu_seconds() {
#ifdef CLOCK_THREAD_CPUTIME_ID
    timespec now{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) == 0) return now.tv_sec + now.tv_nsec * 1e-9;
#endif
    return perf_counter();
}

bool cpu_work_calibrated() { return calibrated.load(std::memory_order_acquire); }

CpuWork cpu_work_for_seconds(double seconds) {
    const double numbers = std::max(1.0, std::round(seconds * numbers_per_second()));
    // As many passes as it takes to keep each within the block, all of the same length.
    const double repeats = std::ceil(numbers / static_cast<double>(kCpuBlock));
    const auto length = static_cast<std::uint64_t>(std::max(1.0, std::round(numbers / repeats)));
    return {kCpuFirst, kCpuFirst + length, static_cast<std::uint64_t>(repeats)};
}

std::int64_t count_primes(const CpuWork& work, const std::atomic<bool>* cancel) {
    // Every pass finds the same primes; summing them all (rather than keeping the last pass's)
    // keeps the compiler from dropping the passes whose result would be unused.
    std::int64_t total = 0;
    for (std::uint64_t pass = 0; pass < work.repeats; ++pass) {
        const double start = thread_cpu_seconds();
        for (std::uint64_t n = work.first; n < work.last; ++n) {
            if ((n & 1023) == 0) {
                if (cancel && cancel->load(std::memory_order_relaxed)) return -1;
                gil::checkpoint(); // Python's eval breaker: hand the GIL over if another thread asked
            }
            total += is_prime(n);
        }
        if (work.first == kCpuFirst) note_pass(work.last - work.first, thread_cpu_seconds() - start);
    }
    return work.repeats ? total / static_cast<std::int64_t>(work.repeats) : 0;
}

} // namespace threadlab::tasks
