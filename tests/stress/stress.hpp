// tests/stress/stress.hpp - what the stress scenarios share: configuration (seed, scale, budget),
// seeded random numbers, failure reporting, progress counters and the watchdog.
//
// Every scenario is a function `int NAME()` that runs its threads, checks its invariants with
// STRESS_CHECK and prints one summary line of counts. The watchdog fails the process (exit 3, via
// std::_Exit) when a scenario runs past its budget, after printing which progress counters stalled
// and the name and state of every thread still alive.
#pragma once

#include <threadlab/threadlab.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace stress {
namespace tl = threadlab;

// [SECTION] Build flavour: sizes scale down under sanitizers ----------------------------------

#if defined(__SANITIZE_THREAD__)
#define STRESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define STRESS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRESS_ASAN 1
#endif
#endif

#if defined(STRESS_TSAN)
inline constexpr const char* build_flavour = "tsan";
inline constexpr double default_scale = 0.2; // ThreadSanitizer: ~5-15x slower, 8x the memory
#elif defined(STRESS_ASAN)
inline constexpr const char* build_flavour = "asan";
inline constexpr double default_scale = 0.4; // AddressSanitizer + UBSan: ~2-4x slower
#else
inline constexpr const char* build_flavour = "native";
inline constexpr double default_scale = 1.0;
#endif

struct Config {
    std::string scenario;
    std::uint64_t seed = 0;
    double scale = default_scale;
    double budget = 0; // seconds the watchdog allows the scenario
};
Config& config();

// A size of the native Release run, scaled for this build (never below `minimum`).
std::size_t scaled(std::size_t native, std::size_t minimum = 1);

// [SECTION] Random numbers: deterministic per (seed, stream) -----------------------------------

// SplitMix64: small, fast, and good enough to pick fault injections.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n).
    std::uint64_t below(std::uint64_t n) { return n ? next() % n : 0; }
    // Uniform in [lo, hi].
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) { return uniform() < p; }

private:
    std::uint64_t state_;
};

// A stream of its own for each thread of a scenario: the same seed replays the same decisions.
std::uint64_t stream_seed(std::uint64_t stream);
inline Rng rng_for(std::uint64_t stream) { return Rng(stream_seed(stream)); }

// A fixed function of (seed, id): the value a task must return.
std::uint64_t expected_value(std::uint64_t id);

// [SECTION] Failures --------------------------------------------------------------------------

// Record a failed check (printed, the first 50 in full); the scenario then exits non-zero.
void fail(const char* file, int line, const std::string& message);
std::uint64_t failure_count();

#define STRESS_CHECK(condition, ...)                                                               \
    do {                                                                                           \
        if (!(condition))                                                                          \
            ::stress::fail(__FILE__, __LINE__,                                                     \
                           std::string("check failed: " #condition " -- ") + ::threadlab::str(__VA_ARGS__)); \
    } while (0)

// [SECTION] Progress counters and the watchdog -------------------------------------------------

// A named, monotonically increasing count of work done. The watchdog shows each one and how long
// ago it last moved, so a hang report says what stopped. References stay valid for the run.
std::atomic<std::uint64_t>& counter(const std::string& name);
std::uint64_t value(const std::string& name);

// Start/stop the watchdog thread (a daemon Thread named "watchdog") for the current scenario.
void watchdog_start(const std::string& scenario, double budget_seconds);
void watchdog_stop();

// [SECTION] Instance counters: nothing leaks ---------------------------------------------------

// The value type tasks return. Every constructor and destructor moves `live`, which must come back
// to 0 once every future is gone (results stored in futures, copies handed out by result()).
struct Payload {
    static std::atomic<long> live;
    std::uint64_t id = 0;
    std::uint64_t value = 0;
    Payload(std::uint64_t i, std::uint64_t v) : id(i), value(v) { live.fetch_add(1, std::memory_order_relaxed); }
    Payload(const Payload& o) : id(o.id), value(o.value) { live.fetch_add(1, std::memory_order_relaxed); }
    Payload(Payload&& o) noexcept : id(o.id), value(o.value) { live.fetch_add(1, std::memory_order_relaxed); }
    Payload& operator=(const Payload&) = default;
    ~Payload() { live.fetch_sub(1, std::memory_order_relaxed); }
};

// The exception injected into tasks; counted the same way (exception_ptrs held by futures).
struct InjectedFault : std::exception {
    static std::atomic<long> live;
    std::uint64_t id;
    explicit InjectedFault(std::uint64_t i) : id(i) { live.fetch_add(1, std::memory_order_relaxed); }
    InjectedFault(const InjectedFault& o) : std::exception(o), id(o.id) { live.fetch_add(1, std::memory_order_relaxed); }
    ~InjectedFault() override { live.fetch_sub(1, std::memory_order_relaxed); }
    const char* what() const noexcept override { return "injected fault"; }
};

// Seconds since the scenario began (for the summary line).
double elapsed();

// The scenarios (executor.cpp, sync.cpp, queue.cpp, main.cpp).
int executor_flood();
int executor_shutdown();
int lock();
int rlock();
int condition();
int semaphore();
int bounded_semaphore();
int event();
int barrier();
int timer();
int local();
int thread_churn();
int queue();
int watchdog_selftest();

} // namespace stress
