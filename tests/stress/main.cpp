// threadlab_stress: the stress suite's runner, its watchdog and its shared helpers.
//
//   threadlab_stress --list
//   threadlab_stress --scenario NAME [--seed N] [--scale F] [--budget SECONDS]
//   threadlab_stress --scenario all          (every scenario in turn, not the watchdog self-test)
//
// The seed (default 20240611, or $THREADLAB_STRESS_SEED) picks every random decision: task
// durations, faults, cancellations, timeouts, shutdown points. It is printed first, so a failing
// run replays with --seed. Thread interleavings still vary from run to run: that is the point.
// --scale multiplies every size (default 1 natively, 0.2 under TSan, 0.4 under ASan+UBSan).
#include "stress.hpp"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <unistd.h>
#include <utility>

// Sanitizer defaults, so the binary behaves the same when run by hand; the environment
// (TSAN_OPTIONS, ASAN_OPTIONS, UBSAN_OPTIONS, set by tests/run.sh) still takes precedence.
#if defined(STRESS_TSAN)
extern "C" __attribute__((used, visibility("default"))) const char* __tsan_default_options() {
    return "halt_on_error=1:second_deadlock_stack=1";
}
#endif
#if defined(STRESS_ASAN)
extern "C" __attribute__((used, visibility("default"))) const char* __asan_default_options() {
    return "detect_leaks=1";
}
extern "C" __attribute__((used, visibility("default"))) const char* __ubsan_default_options() {
    return "halt_on_error=1:print_stacktrace=1";
}
#endif

namespace stress {

std::atomic<long> Payload::live{0};
std::atomic<long> InjectedFault::live{0};

Config& config() {
    static Config c;
    return c;
}

std::size_t scaled(std::size_t native, std::size_t minimum) {
    auto n = static_cast<std::size_t>(static_cast<double>(native) * config().scale);
    return n < minimum ? minimum : n;
}

namespace {
std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    return x ^ (x >> 33);
}
std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (unsigned char c : text) h = (h ^ c) * 0x100000001B3ull;
    return h;
}
} // namespace

std::uint64_t stream_seed(std::uint64_t stream) {
    return mix(config().seed ^ fnv1a(config().scenario) ^ mix(stream + 0x51ED));
}

std::uint64_t expected_value(std::uint64_t id) { return mix(id * 0x9E3779B97F4A7C15ull ^ config().seed); }

// [SECTION] Failures ----------------------------------------------------------------------------

namespace {
std::atomic<std::uint64_t> failures{0};
std::mutex failure_mutex;
} // namespace

void fail(const char* file, int line, const std::string& message) {
    std::uint64_t n = ++failures;
    if (n > 50) return;
    std::lock_guard lock(failure_mutex);
    std::fprintf(stderr, "FAIL [%s, seed %" PRIu64 "] %s:%d: %s\n", config().scenario.c_str(), config().seed, file,
                 line, message.c_str());
    if (n == 50) std::fprintf(stderr, "FAIL ... (further failures are counted, not printed)\n");
    std::fflush(stderr);
}

std::uint64_t failure_count() { return failures.load(); }

// [SECTION] Progress counters -------------------------------------------------------------------

namespace {
struct NamedCounter {
    std::string name;
    std::atomic<std::uint64_t> value{0};
    // Watchdog bookkeeping (watchdog thread only).
    std::uint64_t last_seen = 0;
    double last_moved = 0;
};
std::mutex counters_mutex;
std::deque<NamedCounter>& counters() {
    static std::deque<NamedCounter> c; // a deque: references stay valid as it grows
    return c;
}
double scenario_start = 0;
} // namespace

std::atomic<std::uint64_t>& counter(const std::string& name) {
    std::lock_guard lock(counters_mutex);
    for (auto& c : counters())
        if (c.name == name) return c.value;
    auto& c = counters().emplace_back();
    c.name = name;
    c.last_moved = tl::perf_counter();
    return c.value;
}

std::uint64_t value(const std::string& name) { return counter(name).load(); }

double elapsed() { return tl::perf_counter() - scenario_start; }

// [SECTION] Watchdog ----------------------------------------------------------------------------

namespace {
struct Watchdog {
    std::string scenario;
    double budget = 0;
    double start = 0;
    tl::Event stop;
    std::optional<tl::Thread> thread;
};
Watchdog* watchdog = nullptr;

[[noreturn]] void watchdog_fire(Watchdog& w) {
    double now = tl::perf_counter();
    std::fprintf(stderr,
                 "\nwatchdog: scenario '%s' did not finish within its budget of %.0f s (%.1f s elapsed; "
                 "seed %" PRIu64 ", scale %g, build %s)\n",
                 w.scenario.c_str(), w.budget, now - w.start, config().seed, config().scale, build_flavour);
    {
        std::lock_guard lock(counters_mutex);
        double stall = std::min(2.0, w.budget / 3);
        std::fprintf(stderr, "watchdog: progress counters (STALLED: unchanged for more than %.1f s):\n", stall);
        for (auto& c : counters()) {
            double idle = now - c.last_moved;
            std::fprintf(stderr, "  %-40s %12" PRIu64 "   last moved %6.1f s ago%s\n", c.name.c_str(), c.value.load(),
                         idle, idle > stall ? "   STALLED" : "");
        }
    }
    std::fflush(stderr);
    // Listing threads takes Threadlab's registry lock: should the library itself be wedged, the
    // alarm still ends the process (SIGALRM's default action) instead of hanging here.
    ::alarm(10);
    std::vector<tl::Thread> threads = tl::enumerate();
    std::fprintf(stderr, "watchdog: %zu thread(s) still alive:\n", threads.size());
    for (auto& t : threads) {
        auto ident = t.ident();
        std::fprintf(stderr, "  %-36s alive=%-5s daemon=%-5s ident=%-16lu %s\n", t.name().c_str(),
                     t.is_alive() ? "True" : "False", t.daemon() ? "True" : "False", ident ? *ident : 0ul,
                     t.repr().c_str());
    }
    std::fprintf(stderr, "watchdog: FAIL (exit 3): replay with --scenario %s --seed %" PRIu64 " --scale %g\n",
                 w.scenario.c_str(), config().seed, config().scale);
    std::fflush(stderr);
    std::fflush(stdout);
    std::_Exit(3);
}

void watchdog_loop(Watchdog* w) {
    while (!w->stop.wait(0.2)) {
        double now = tl::perf_counter();
        {
            std::lock_guard lock(counters_mutex);
            for (auto& c : counters()) {
                std::uint64_t v = c.value.load();
                if (v != c.last_seen) {
                    c.last_seen = v;
                    c.last_moved = now;
                }
            }
        }
        if (now - w->start > w->budget) watchdog_fire(*w);
    }
}
} // namespace

void watchdog_start(const std::string& scenario, double budget_seconds) {
    watchdog = new Watchdog;
    watchdog->scenario = scenario;
    watchdog->budget = budget_seconds;
    watchdog->start = tl::perf_counter();
    watchdog->thread.emplace(tl::ThreadOptions{.name = "watchdog", .daemon = true}, watchdog_loop, watchdog);
    watchdog->thread->start();
}

void watchdog_stop() {
    if (!watchdog) return;
    watchdog->stop.set();
    watchdog->thread->join();
    delete watchdog;
    watchdog = nullptr;
}

// [SECTION] The watchdog's own test -------------------------------------------------------------

// A scenario that hangs on purpose: a worker named "stuck-worker" waits for an Event nobody sets.
// CTest expects the watchdog's report (PASS_REGULAR_EXPRESSION), within a budget of 1.5 s.
int watchdog_selftest() {
    auto& progress = counter("selftest.iterations");
    auto never = std::make_shared<tl::Event>();
    tl::Thread stuck({.name = "stuck-worker"}, [never, &progress] {
        for (int i = 0; i < 3; ++i) ++progress;
        never->wait();
    });
    stuck.start();
    stuck.join(); // never returns: the watchdog ends the process
    return 1;
}

} // namespace stress

namespace {
using Scenario = int (*)();
struct Entry {
    const char* name;
    Scenario run;
    const char* what;
};
const Entry scenarios[] = {
    {"executor_flood", stress::executor_flood,
     "1,000,000 tasks (native) on several pools: faults, cancels, timeouts, nested submits, consumers, "
     "shutdown(cancel_futures) mid-batch"},
    {"executor_shutdown", stress::executor_shutdown,
     "many short-lived pools shut down mid-batch (cancel_futures, wait on/off, from a task), map()"},
    {"lock", stress::lock, "Lock: mutual exclusion, try/timeout acquires, hand-off release by another thread"},
    {"rlock", stress::rlock, "RLock: recursive acquires, ownership, release by a non-owner refused"},
    {"condition", stress::condition, "Condition: bounded buffer, notify/notify_all, wait timeouts, RLock recursion"},
    {"semaphore", stress::semaphore, "Semaphore: concurrency never above its value, release(n)"},
    {"bounded_semaphore", stress::bounded_semaphore, "BoundedSemaphore: the same, and never over-released"},
    {"event", stress::event, "Event: gated rounds of waiters, set/clear storms with timed waiters"},
    {"barrier", stress::barrier, "Barrier: many rounds, action, then abort/reset/timeouts under load"},
    {"timer", stress::timer, "Timer: many started and cancelled, never early, at most once"},
    {"local", stress::local, "local<T>: values never cross threads, die with their thread or their local"},
    {"thread_churn", stress::thread_churn,
     "Threads started/joined by several threads (two joiners each), enumerate() observers, excepthook"},
    {"queue", stress::queue, "Queue, PriorityQueue, LifoQueue, SimpleQueue: producers/consumers, Full/Empty, join rounds"},
    {"watchdog_selftest", stress::watchdog_selftest, "hangs on purpose: the watchdog must report and exit 3"},
};

int usage(int code) {
    std::fprintf(code ? stderr : stdout,
                 "usage: threadlab_stress --scenario NAME|all [--seed N] [--scale F] [--budget SECONDS]\n"
                 "       threadlab_stress --list\n");
    return code;
}

int run_one(const Entry& e) {
    using namespace stress;
    Config& c = config();
    c.scenario = e.name;
    double budget = c.budget;
    if (std::strcmp(e.name, "watchdog_selftest") == 0) budget = 1.5;
    std::printf("threadlab_stress: scenario=%s build=%s seed=%" PRIu64 " scale=%g budget=%gs\n", e.name,
                build_flavour, c.seed, c.scale, budget);
    std::fflush(stdout);
    std::uint64_t failures_before = failure_count();
    scenario_start = tl::perf_counter();
    watchdog_start(e.name, budget);
    int rc = e.run();
    watchdog_stop();
    long payloads = Payload::live.load(), faults = InjectedFault::live.load();
    STRESS_CHECK(payloads == 0, "Payload objects still alive after the scenario: ", payloads);
    STRESS_CHECK(faults == 0, "InjectedFault objects still alive after the scenario: ", faults);
    bool ok = rc == 0 && failure_count() == failures_before;
    std::printf("threadlab_stress: %s %s in %.2f s (live payloads %ld, live faults %ld, failed checks %" PRIu64 ")\n",
                e.name, ok ? "PASSED" : "FAILED", elapsed(), payloads, faults, failure_count() - failures_before);
    std::fflush(stdout);
    return ok ? 0 : 1;
}
} // namespace

int main(int argc, char** argv) {
    threadlab::main_thread(); // this thread is MainThread
    using stress::config;
    std::string scenario;
    config().seed = 20240611;
    if (const char* env = std::getenv("THREADLAB_STRESS_SEED"); env && *env) config().seed = std::strtoull(env, nullptr, 0);
    config().budget = stress::default_scale < 1 ? 300 : 120;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) std::exit(usage(2));
            return argv[++i];
        };
        if (arg == "--scenario") scenario = next();
        else if (arg == "--seed") config().seed = std::strtoull(next(), nullptr, 0);
        else if (arg == "--scale") config().scale = std::strtod(next(), nullptr);
        else if (arg == "--budget") config().budget = std::strtod(next(), nullptr);
        else if (arg == "--list") {
            for (auto& e : scenarios) std::printf("%-20s %s\n", e.name, e.what);
            return 0;
        } else if (arg == "-h" || arg == "--help") return usage(0);
        else return usage(2);
    }
    if (scenario.empty() || !(config().scale > 0) || !(config().budget > 0)) return usage(2);
    if (scenario == "all") {
        int rc = 0;
        for (auto& e : scenarios)
            if (std::strcmp(e.name, "watchdog_selftest") != 0) rc |= run_one(e);
        return rc;
    }
    for (auto& e : scenarios)
        if (scenario == e.name) return run_one(e);
    std::fprintf(stderr, "threadlab_stress: unknown scenario '%s' (--list)\n", scenario.c_str());
    return 2;
}
