// The sim backend (sim.hpp): a seed replays an interleaving, virtual time skips waiting, and a run
// where every thread waits for good ends with a report instead of hanging. Only on sim builds.
#include "helpers.hpp"

#ifdef THREADLAB_SIM
#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <set>

using namespace testing;

namespace {
// The tutorial's race: three threads add 5 each to a counter without a lock, with a scheduling
// point between reading and writing it. The letters say which thread stepped when.
std::string racy_run(std::uint64_t seed) {
    tl::sim::reseed(seed);
    std::string steps;
    int counter = 0;
    std::vector<tl::Thread> threads;
    for (int t = 0; t < 3; ++t)
        threads.push_back(started([&, t] {
            for (int i = 0; i < 5; ++i) {
                const int seen = counter;
                tl::gil::checkpoint();
                counter = seen + 1;
                steps += static_cast<char>('a' + t);
            }
        }));
    for (auto& thread : threads) thread.join();
    return steps + " counter=" + std::to_string(counter);
}

// `threads` Threads each add 1 to a shared<long> `increments` times, without a lock: the total.
long unlocked_total(int threads, int increments) {
    tl::shared<long> counter{0};
    std::vector<tl::Thread> running;
    for (int t = 0; t < threads; ++t)
        running.push_back(started([&] {
            for (int i = 0; i < increments; ++i) counter += 1;
        }));
    for (auto& thread : running) thread.join();
    return counter.load();
}
} // namespace

TEST_CASE("sim: the same seed gives the same interleaving 20 times, other seeds give others, some losing updates") {
    const std::string first = racy_run(7);
    for (int run = 0; run < 20; ++run) CHECK(racy_run(7) == first);
    std::set<std::string> outcomes;
    int lost = 0;
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        std::string outcome = racy_run(seed);
        lost += outcome.find("counter=15") == std::string::npos;
        outcomes.insert(outcome);
    }
    CHECK(outcomes.size() > 10);
    CHECK(lost > 0);
    CHECK(tl::sim::seed() == 50);
}

TEST_CASE("sim: shared<T> reads and writes are scheduling points, so counter += 1 loses updates under some seeds") {
    auto lost_updates = [](std::uint64_t seed) {
        tl::sim::reseed(seed);
        return 400 - unlocked_total(4, 100);
    };
    int seeds_losing = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) seeds_losing += lost_updates(seed) > 0;
    CHECK(seeds_losing > 0);
    CHECK(lost_updates(3) == lost_updates(3)); // the same seed loses the same updates
}

TEST_CASE("sim: explore groups 200 schedules of the race by outcome, and a first seed replays its outcome") {
    auto race = [] { return "counter=" + std::to_string(unlocked_total(2, 3)); };
    const auto outcomes = tl::sim::explore(race, 200);
    int total = 0;
    bool clean = false, lost = false;
    for (const auto& outcome : outcomes) {
        total += outcome.runs;
        clean |= outcome.text == "counter=6";
        lost |= outcome.text != "counter=6";
        tl::sim::reseed(outcome.first_seed);
        CHECK(race() == outcome.text); // replayed
    }
    CHECK(total == 200);
    CHECK(clean);
    CHECK(lost);
    CHECK(raised([&] { tl::sim::explore(race, 0); }) == "ValueError: runs must be at least 1");
}

#ifndef __EMSCRIPTEN__ // each schedule runs in a child process (fork)
TEST_CASE("sim: explore_schedules covers every schedule within the preemption bound: one preemption loses an update, and its schedule replays") {
    auto race = [] { return "counter=" + std::to_string(unlocked_total(2, 2)); };
    const auto serial = tl::sim::explore_schedules(race, 0);
    CHECK(serial.complete);
    REQUIRE(serial.outcomes.size() == 1); // without preemption each thread's += runs whole
    CHECK(serial.outcomes[0].text == "counter=4");
    CHECK(serial.outcomes[0].runs == serial.runs);

    const auto one = tl::sim::explore_schedules(race, 1);
    const auto two = tl::sim::explore_schedules(race, 2);
    CHECK(one.complete);
    CHECK(two.complete);
    CHECK(serial.runs < one.runs);
    CHECK(one.runs < two.runs);
    // One preemption, between Thread-1's read and its write, loses both of Thread-2's updates;
    // losing one of them takes two.
    REQUIRE(one.outcomes.size() == 2);
    CHECK(one.outcomes[1].text == "counter=2");
    CHECK(one.outcomes[1].preemptions == 1);
    const auto lost_one = std::find_if(two.outcomes.begin(), two.outcomes.end(), [](auto& o) { return o.text == "counter=3"; });
    REQUIRE(lost_one != two.outcomes.end());
    CHECK(lost_one->preemptions == 2);
    CHECK(one.outcomes[1].schedule.find(':') != std::string::npos);
    for (const auto& outcome : two.outcomes) {
        CHECK(outcome.preemptions <= 2);
        tl::sim::follow_schedule(outcome.schedule);
        CHECK(race() == outcome.text); // replayed, in this process
    }
    tl::sim::reseed(1); // back to seeded draws
    CHECK(tl::sim::explore_schedules(race, 2, 5).runs == 5);
    CHECK_FALSE(tl::sim::explore_schedules(race, 2, 5).complete);
}

// Thread-1 takes lock `a` then `b`, Thread-2 `b` then `a`. With a `pause` each sleeps while
// holding its first, so both get it and they deadlock; without, only a preemption does it.
template <class LockType> std::string opposite_lock_orders(const char* a_name, const char* b_name, double pause) {
    LockType a, b;
    a.set_name(a_name);
    b.set_name(b_name);
    auto take = [pause](LockType& first, LockType& second) {
        std::lock_guard hold(first);
        if (pause > 0) tl::sleep(pause);
        std::lock_guard also(second);
    };
    tl::Thread one({.name = "Thread-1"}, [&] { take(a, b); });
    tl::Thread two({.name = "Thread-2"}, [&] { take(b, a); });
    one.start();
    two.start();
    one.join();
    two.join();
    return "finished";
}

TEST_CASE("sim: explore_schedules reports a deadlock or a crash as an outcome, and goes on") {
    auto opposite_orders = [] { return opposite_lock_orders<tl::Lock>("lock_a", "lock_b", 0); };
    CHECK(tl::sim::explore_schedules(opposite_orders, 0).outcomes.size() == 1); // no preemption, no deadlock
    const auto found = tl::sim::explore_schedules(opposite_orders, 1);
    CHECK(found.complete);
    std::set<std::string> texts;
    for (const auto& outcome : found.outcomes) texts.insert(outcome.text.substr(0, outcome.text.find('\n')));
    CHECK(texts == std::set<std::string>{"finished", "Deadlock: Thread-1 holds lock_a and waits for lock_b; Thread-2 holds lock_b and waits for lock_a"});

    auto aborts_on_lost_update = [] {
        if (unlocked_total(2, 1) != 2) std::abort();
        return std::string("counter=2");
    };
    const auto crashed = tl::sim::explore_schedules(aborts_on_lost_update, 1);
    std::set<std::string> crash_texts;
    for (const auto& outcome : crashed.outcomes) crash_texts.insert(outcome.text);
    CHECK(crash_texts == std::set<std::string>{"counter=2", "crashed: Aborted"});
    CHECK(tl::sim::explore_schedules([]() -> std::string { throw tl::ValueError("bad"); }, 0).outcomes[0].text == "exception: bad");
}

// The first line of the one outcome of `program` run without preemption (a deadlock's cycle).
template <class Program> std::string only_outcome(Program program) {
    const auto explored = tl::sim::explore_schedules(program, 0);
    REQUIRE(explored.outcomes.size() == 1);
    const std::string& text = explored.outcomes[0].text;
    return text.substr(0, text.find('\n'));
}

TEST_CASE("sim: when all threads are asleep the report names a cycle of RLocks, and of pool tasks waiting for each other's results") {
    CHECK(only_outcome([] { return opposite_lock_orders<tl::RLock>("first", "second", 0.1); }) ==
          "Deadlock: Thread-1 holds first and waits for second; Thread-2 holds second and waits for first");
    // Python's concurrent.futures documentation: a waits for b, b for a, on a pool of two.
    CHECK(only_outcome([] {
              tl::ThreadPoolExecutor pool({.max_workers = 2, .thread_name_prefix = "pool"});
              std::optional<tl::Future<int>> a, b;
              tl::Event submitted;
              a = pool.submit([&] {
                  submitted.wait();
                  return b->result();
              });
              b = pool.submit([&] {
                  submitted.wait();
                  return a->result();
              });
              submitted.set();
              return std::to_string(a->result());
          }) == "Deadlock: pool_0 waits for the result of a task running on pool_1; pool_1 waits for the result of a task running on pool_0");
}

TEST_CASE("sim: when all threads are asleep the report names a future queued behind busy workers, as the detector does") {
    // Python's documentation: a task on a one-worker pool waits for a task queued behind it.
    CHECK(only_outcome([] {
              tl::ThreadPoolExecutor pool({.max_workers = 1, .thread_name_prefix = "pool"});
              tl::Future<int> outer = pool.submit([&] { return pool.submit([] { return 42; }).result(); });
              return std::to_string(outer.result());
          }) == "Deadlock: pool_0 runs a task that waits for a future queued behind it on the same pool (max_workers=1)");
    // Both workers wait for tasks queued behind them: the pool waits for itself.
    CHECK(only_outcome([] {
              tl::ThreadPoolExecutor pool({.max_workers = 2, .thread_name_prefix = "pool"});
              tl::Barrier both_running(2);
              auto nested = [&] {
                  both_running.wait();
                  return pool.submit([] { return 1; }).result();
              };
              tl::Future<int> a = pool.submit(nested), b = pool.submit(nested);
              return std::to_string(a.result() + b.result());
          }) == "Deadlock: pool_0 runs a task that waits for a future queued behind it on the same pool (max_workers=2); "
                "pool_1 runs a task that waits for a future queued behind it on the same pool (max_workers=2)");
    // From outside the pool: the caller holds the lock that the only worker waits for.
    CHECK(only_outcome([] {
              tl::ThreadPoolExecutor pool({.max_workers = 1, .thread_name_prefix = "pool"});
              tl::Lock lock;
              lock.set_name("lock_a");
              tl::Event holding;
              tl::Future<void> blocked = pool.submit([&] {
                  holding.wait();
                  std::lock_guard take(lock);
              });
              std::lock_guard hold(lock);
              holding.set();
              pool.submit([] {}).result();
              return std::string();
          }) == "Deadlock: MainThread holds lock_a and waits for a future queued on a pool whose workers are all busy (max_workers=1); "
                "pool_0 waits for lock_a");
}
#else
TEST_CASE("sim: explore_schedules needs child processes, which the browser has not: RuntimeError") {
    CHECK(raised([] { tl::sim::explore_schedules([] { return std::string(); }, 1); }) ==
          "RuntimeError: sim::explore_schedules() runs each schedule in a child process, and the browser has none: use sim::explore()");
}
#endif

TEST_CASE("sim: a schedule that is not one, or a bound below 0, is a ValueError") {
    auto nothing = [] { return std::string(); };
    CHECK(raised([] { tl::sim::follow_schedule("3:1,2:1"); }) ==
          "ValueError: schedule '3:1,2:1' is not a list of decision:alternative pairs in order, such as '3:1,9:2'");
    for (const char* bad : {"x", "3", "3:", ":1", "3:1,", ",3:1", "3:1;4:1", "3:1,3:2", "99999999999:1"})
        CHECK_THROWS_AS(tl::sim::follow_schedule(bad), tl::ValueError);
    CHECK(raised([&] { tl::sim::explore_schedules(nothing, -1); }) == "ValueError: max_preemptions must be at least 0");
    CHECK(raised([&] { tl::sim::explore_schedules(nothing, 1, 0); }) == "ValueError: max_runs must be at least 1");
    tl::sim::follow_schedule(""); // the default schedule: keep the running thread
    CHECK(unlocked_total(3, 50) == 150);
    tl::sim::reseed(1);
}

TEST_CASE("sim: reseed and the clock switch need the caller alone") {
    tl::Event go;
    tl::Thread waiter = started([&] { go.wait(); });
    CHECK(raised([] { tl::sim::reseed(3); }) == "RuntimeError: sim::reseed() needs the calling thread to be the only one alive");
    CHECK(raised([] { tl::sim::set_virtual_clock(true); }) ==
          "RuntimeError: sim::set_virtual_clock() needs the calling thread to be the only one alive");
    go.set();
    waiter.join();
}

TEST_CASE("sim: virtual time - 10 threads x sleep(1) report 1.0 s and take milliseconds") {
    tl::sim::set_virtual_clock(true);
    const auto real_start = std::chrono::steady_clock::now();
    Stopwatch watch;
    std::vector<tl::Thread> threads;
    for (int i = 0; i < 10; ++i) threads.push_back(started([] { tl::sleep(1); }));
    for (auto& thread : threads) thread.join();
    const double reported = watch.elapsed();
    const double real = std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
    tl::sim::set_virtual_clock(false);
    CHECK(reported >= 1.0);
    CHECK(reported < 1.001);
    CHECK(real < 0.5);
    CHECK(watch.elapsed() >= reported); // back on the wall clock, time does not run backwards
}

TEST_CASE("sim: set_quantum runs a thread through many points before the next draw: far fewer switches, updates still lost") {
    auto run = [](std::uint64_t quantum, std::uint64_t seed) {
        tl::sim::set_quantum(quantum);
        tl::sim::reseed(seed);
        const std::uint64_t before = tl::sim::switches();
        const long total = unlocked_total(4, 5000);
        tl::sim::set_quantum(1);
        return std::pair{total, tl::sim::switches() - before};
    };
    const auto [fine_total, fine_switches] = run(1, 5);
    const auto [coarse_total, coarse_switches] = run(50, 5);
    CHECK(fine_total < 20000);
    CHECK(coarse_total < 20000);                     // a thread preempted between read and write
    CHECK(coarse_switches * 10 < fine_switches);     // about 50 times fewer
    CHECK(run(50, 5) == std::pair{coarse_total, coarse_switches}); // and a seed still replays
    CHECK(tl::sim::quantum() == 1);
    CHECK_THROWS_WITH_AS(tl::sim::set_quantum(0), "quantum must be at least 1", tl::ValueError);
}

// The main thread as a host (sim::run_for), and ExternalWait: exit_helper.cpp's host scenario
// (a whole process: a host stays one).
// Every thread asleep for good: exit_helper.cpp's all-asleep scenario (a whole process).
#endif
