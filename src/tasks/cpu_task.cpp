#include "tasks/cpu_task.hpp"

#include <cmath>
#include <mutex>
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

// Where the work starts: far enough from 0 that each number costs about the same.
constexpr std::uint64_t kFirst = 1'000'000;

double numbers_per_second() {
    static std::once_flag once;
    static double rate = 0;
    std::call_once(once, [] {
        std::uint64_t n = kFirst;
        const double start = perf_counter();
        volatile std::int64_t found = 0;
        while (perf_counter() - start < 0.03) {
            for (int i = 0; i < 2000; ++i) found = found + is_prime(n++);
        }
        rate = static_cast<double>(n - kFirst) / (perf_counter() - start);
    });
    return rate;
}

} // namespace

CpuWork cpu_work_for_seconds(double seconds) {
    const double count = std::max(1.0, seconds * numbers_per_second());
    return {kFirst, kFirst + static_cast<std::uint64_t>(count)};
}

std::int64_t count_primes(const CpuWork& work, const std::atomic<bool>* cancel) {
    std::int64_t found = 0;
    for (std::uint64_t n = work.first; n < work.last; ++n) {
        if ((n & 1023) == 0 && cancel && cancel->load(std::memory_order_relaxed)) return -1;
        found += is_prime(n);
    }
    return found;
}

} // namespace threadlab::tasks
