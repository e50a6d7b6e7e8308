// tasks/cpu_task.hpp - CPU-bound work: counting primes by trial division.
//
// The amount of work is fixed per task (so threads on more cores really do finish sooner) and
// sized once per process to take about the requested seconds on one core.
#pragma once

#include <atomic>
#include <cstdint>

namespace threadlab::tasks {

struct CpuWork {
    std::uint64_t first = 2; // count primes in [first, last)
    std::uint64_t last = 2;
};

// A range of numbers whose primes take about `seconds` to count on one core of this machine.
// The first call calibrates (~30 ms); later calls reuse the measurement. Thread-safe.
CpuWork cpu_work_for_seconds(double seconds);

// Counts the primes in work's range. Returns -1 when `cancel` became true before the end.
std::int64_t count_primes(const CpuWork& work, const std::atomic<bool>* cancel);

} // namespace threadlab::tasks
