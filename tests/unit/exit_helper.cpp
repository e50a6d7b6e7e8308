// A whole program for what happens at normal exit (checked by check_exit_helper.cmake).
//
// `threadlab_exit_helper` (no argument):
//  - a non-daemon thread still running when main returns is joined before the process ends;
//  - a daemon thread blocked forever does not keep the process alive;
//  - an exception escaping a thread goes to the default excepthook, which prints Python's report
//    on stderr, and the process goes on and exits with main's status (0).
// The non-daemon thread only sets a flag: an atexit handler registered before Threadlab's (so it
// runs after Threadlab's joins them) prints whether it finished. (Under wasm, exit handlers run on
// node's main thread, and a thread printing then would wait for that thread: see the report.)
//
// `threadlab_exit_helper late-submit`: a non-daemon thread submits work after main returned, to a
// pool made before (and never destroyed, like a module-level executor) and to one made then. Both
// raise RuntimeError("cannot schedule new futures after interpreter shutdown"), as Python's do;
// the second escapes the thread and reaches excepthook exactly once; every pool worker is joined
// (ThreadSanitizer reports a thread left unjoined at exit).
//
// `threadlab_exit_helper host` (sim builds): the main thread becomes a host, as the page's frame
// loop is (sim::run_for), and keeps control while a thread computes without blocking; a thread
// sleeps, another waits for an ExternalWait the host ends, as a download's callback does.
//
// `threadlab_exit_helper step` (sim builds): step mode; the host chooses who runs at each point.
//
// `threadlab_exit_helper all-asleep` (sim builds): MainThread joins a thread that waits for an Event
// nobody sets. The sim scheduler sees every thread wait with no timeout pending, so the run ends
// with exit status 3 and the report on stderr, instead of hanging. `all-asleep-external` (native
// sim builds): the same for a thread waiting for an ExternalWait that nothing ends.
// `all-asleep-locks` (sim builds): two threads each hold the lock the other waits for; the report
// names that cycle first, in the deadlock detector's words.
//
// `threadlab_exit_helper explore-replay` (native sim builds): sim::explore_schedules finds the
// schedule where two threads taking two locks in opposite orders deadlock, then the helper runs
// itself again as `lock-orders` with THREADLAB_SCHEDULE set to it: a fresh process replays the
// deadlock (exit 3, the cycle). Without it, `lock-orders` follows the default schedule, and finishes.
#include <threadlab/threadlab.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unistd.h>

using namespace threadlab;

namespace {
std::atomic<bool> slow_finished{false};
void report_at_exit() {
    std::fputs(slow_finished ? "non-daemon thread finished\n" : "non-daemon thread NOT joined\n", stdout);
    std::fflush(stdout);
}
} // namespace

// late-submit: what the late thread saw, printed by the exit report (not by the thread: see above).
std::string late_pool_error = "nothing raised";
std::atomic<int> excepthook_calls{0};
std::string excepthook_text;
void report_late_submit_at_exit() {
    std::printf("late submit to the old pool: %s\nexcepthook calls: %d\nexcepthook saw: %s\n", late_pool_error.c_str(),
                excepthook_calls.load(), excepthook_text.c_str());
    std::fflush(stdout);
}

int late_submit() {
    std::atexit(report_late_submit_at_exit);
    excepthook = [](const ExceptHookArgs& args) {
        ++excepthook_calls;
        excepthook_text = args.thread->name() + ": " + describe_exception(args.exc_value);
    };
    static ThreadPoolExecutor& pool = *new ThreadPoolExecutor(2);
    pool.submit([] { return 1; }).result();
    static Event& started = *new Event;
    Thread late({.name = "late"}, [] {
        started.set();
        sleep(0.3); // main has returned by now: the program is exiting
        try {
            pool.submit([] { return 2; });
        } catch (...) {
            late_pool_error = describe_exception(std::current_exception());
        }
        ThreadPoolExecutor fresh(1);
        fresh.submit([] { return 3; }); // escapes the thread: excepthook
    });
    late.start();
    started.wait();
    println("main returns");
    return 0;
}

#ifdef THREADLAB_SIM
int host() {
    using namespace std::chrono_literals;
    sim::run_for({}); // from here on the main thread is a host
    std::atomic<bool> stop{false};
    sim::ExternalWait download;
    std::string order;
    Thread cpu({.name = "cpu"}, [&] {
        while (!stop) gil::checkpoint();
        order += "cpu ";
    });
    Thread sleeper({.name = "sleeper"}, [&] {
        sleep(0.05);
        order += "sleeper ";
    });
    Thread fetcher({.name = "fetcher"}, [&] {
        download.wait();
        order += "fetcher ";
    });
    for (Thread* thread : {&cpu, &sleeper, &fetcher}) thread->start(); // a host's start does not switch
    println("started, ran: ", order.empty() ? "nothing" : order);
    double longest = 0;
    const double begin = perf_counter();
    while (perf_counter() - begin < 0.2) { // cpu never blocks, yet each slice ends on time
        const double slice = perf_counter();
        sim::run_for(5ms);
        longest = std::max(longest, perf_counter() - slice);
    }
    println("after 0.2 s: ", order, "(slices within 50 ms: ", longest < 0.05 ? "yes" : "no", ")");
    download.done(); // the download's callback
    stop = true;
    while (sim::threads_can_run()) sim::run_for(5ms);
    println("at the end: ", order);
    for (Thread* thread : {&cpu, &sleeper, &fetcher}) thread->join(); // they ended: join does not wait
    return 0;
}

// step: step mode. Two threads each add their letter three times, with a scheduling point after
// each; nothing runs until the host chooses, and each step runs the chosen thread only.
int step_mode() {
    using namespace std::chrono_literals;
    sim::run_for({});
    sim::set_stepping(true);
    std::string order;
    auto adds = [&order](char letter) {
        return [&order, letter] {
            for (int i = 0; i < 3; ++i) {
                order += letter;
                gil::checkpoint();
            }
        };
    };
    Thread a({.name = "A"}, adds('a'));
    Thread b({.name = "B"}, adds('b'));
    a.start();
    b.start();
    sim::run_for(20ms);
    std::string offered;
    for (const auto& choice : sim::runnable_threads()) offered += choice.name + " ";
    println("after run_for: ran ", order.empty() ? "nothing" : order, ", offered ", offered);
    try {
        sim::step(999999);
    } catch (const ValueError& e) {
        println("ValueError: ", e.what());
    }
    bool honoured = true;
    int steps = 0;
    for (char name : std::string("BBABAAAB")) { // then whatever is left, in order
        unsigned long ident = 0;
        for (const auto& choice : sim::runnable_threads())
            if (choice.name == std::string(1, name)) ident = choice.ident;
        if (!ident) continue;
        const std::string before = order;
        sim::step(ident);
        ++steps;
        const std::string added = order.substr(before.size());
        honoured = honoured && order.compare(0, before.size(), before) == 0 &&
                   (added.empty() || added == std::string(1, static_cast<char>(name - 'A' + 'a')));
    }
    while (!sim::runnable_threads().empty()) sim::step(0);
    println("order: ", order, ", each step ran the chosen thread only: ", honoured ? "yes" : "no");
    try {
        sim::step();
    } catch (const RuntimeError& e) {
        println("RuntimeError: ", e.what());
    }
    a.join();
    b.join();
    return steps > 0 ? 0 : 1;
}
#endif

int all_asleep() {
    Event never;
    Thread waiter({.name = "waiter"}, [&] { never.wait(); });
    waiter.start();
    waiter.join();
    println("joined: the sim scheduler should have ended the run");
    return 0;
}

#ifdef THREADLAB_SIM
// Natively nothing outside the scheduler's thread can end an ExternalWait, so one that nothing
// ends is a wait for good too: the same report, not a busy loop.
int all_asleep_external() {
    sim::ExternalWait never;
    Thread waiter({.name = "downloader"}, [&] { never.wait(); });
    waiter.start();
    waiter.join();
    println("joined: the sim scheduler should have ended the run");
    return 0;
}

// Two threads take lock_a and lock_b in opposite orders. With a `pause` each sleeps while holding
// its first lock, so both get it and they deadlock; without, only a preemption at the second
// acquire deadlocks them.
void opposite_lock_orders(double pause) {
    Lock lock_a, lock_b;
    lock_a.set_name("lock_a");
    lock_b.set_name("lock_b");
    auto take = [pause](Lock& first, Lock& second) {
        std::lock_guard hold(first);
        if (pause > 0) sleep(pause);
        std::lock_guard also(second);
    };
    Thread one({.name = "Thread-1"}, [&] { take(lock_a, lock_b); });
    Thread two({.name = "Thread-2"}, [&] { take(lock_b, lock_a); });
    one.start();
    two.start();
    one.join();
    two.join();
}

// The report names the cycle as the deadlock detector would.
int all_asleep_locks() {
    opposite_lock_orders(0.01);
    println("joined: the sim scheduler should have ended the run");
    return 0;
}
#endif

#if defined(THREADLAB_SIM) && !defined(__EMSCRIPTEN__)
std::string lock_orders() {
    opposite_lock_orders(0);
    return "finished";
}

int explore_replay(const char* self) {
    const auto explored = sim::explore_schedules(lock_orders, 1);
    for (const auto& outcome : explored.outcomes) {
        if (outcome.text.rfind("Deadlock:", 0) != 0) continue;
        println("deadlock in ", outcome.runs, " of ", explored.runs, " schedules; replaying ", outcome.schedule);
        std::fflush(stdout);
        ::setenv("THREADLAB_SCHEDULE", outcome.schedule.c_str(), 1);
        ::execl(self, self, "lock-orders", static_cast<char*>(nullptr));
        return 1;
    }
    println("no deadlock found in ", explored.runs, " schedules");
    return 0;
}
#endif

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "late-submit") return late_submit();
    if (argc > 1 && std::string_view(argv[1]) == "all-asleep") return all_asleep();
#ifdef THREADLAB_SIM
    if (argc > 1 && std::string_view(argv[1]) == "all-asleep-external") return all_asleep_external();
    if (argc > 1 && std::string_view(argv[1]) == "all-asleep-locks") return all_asleep_locks();
#ifndef __EMSCRIPTEN__
    if (argc > 1 && std::string_view(argv[1]) == "explore-replay") return explore_replay(argv[0]);
    if (argc > 1 && std::string_view(argv[1]) == "lock-orders") {
        if (!std::getenv("THREADLAB_SCHEDULE")) sim::follow_schedule(""); // keep the running thread
        println(lock_orders());
        return 0;
    }
#endif
    if (argc > 1 && std::string_view(argv[1]) == "host") return host();
    if (argc > 1 && std::string_view(argv[1]) == "step") return step_mode();
#endif
    std::atexit(report_at_exit); // before Threadlab's own handler: runs after it
    static Event& never = *new Event; // never set (nor destroyed): the daemon thread waits forever
    Thread daemon_thread({.name = "forever", .daemon = true}, [] { never.wait(); });
    daemon_thread.start();

    Thread failing({.name = "worker"}, [] { throw ValueError("boom"); });
    failing.start();
    failing.join();
    println("failing thread joined, alive=", failing.is_alive());

    static Event& started = *new Event; // outlives main: `slow` may still be inside set()
    Thread slow({.name = "slow"}, [] {
        started.set();
        sleep(0.3);
        slow_finished = true;
    });
    slow.start();
    started.wait();
    println("main returns");
    return 0;
}
