// tasks/cpu_task.hpp - CPU-bound work: counting primes by trial division.
//
// The amount of work is fixed per task (so threads on more cores really do finish sooner) and
// sized once per process to take about the requested seconds on one core. Trial division costs
// more the larger the number, so a task does not count ever larger numbers: it counts the primes
// of one block of numbers `repeats` times, and the calibration times that very block. Every pass
// costs the same, so N passes take N times as long, for any number of seconds.
#pragma once

#include <atomic>
#include <cstdint>

namespace threadlab::tasks {

struct CpuWork {
    std::uint64_t first = 2; // count the primes in [first, last) ...
    std::uint64_t last = 2;
    std::uint64_t repeats = 1; // ... this many times
};

// The block of numbers every task counts in (a shorter task counts only its first part).
inline constexpr std::uint64_t kCpuFirst = 1'000'000;
inline constexpr std::uint64_t kCpuBlock = 100'000;

// Work whose primes take about `seconds` to count on one core of this machine.
// The first call calibrates (0.25-1 s); later calls use the fastest pass over the block seen
// since, calibration's or a task's. Thread-safe.
CpuWork cpu_work_for_seconds(double seconds);
// Whether that calibration has run (so cpu_work_for_seconds returns at once).
bool cpu_work_calibrated();

// Seconds the calling thread has run on a core: what work costs, however busy the machine is.
// (In the browser Emscripten answers with the wall clock, performance.now().)
double thread_cpu_seconds();

// Counts the primes in [work.first, work.last), work.repeats times. Returns how many there are
// (one pass's count), or -1 when `cancel` became true before the end.
std::int64_t count_primes(const CpuWork& work, const std::atomic<bool>* cancel);

} // namespace threadlab::tasks
