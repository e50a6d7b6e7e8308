// threadlab/sim.hpp - the simulated-threads backend's controls: seed, clock, explore.
//
// Built with THREADLAB_BACKEND=sim (CMake presets sim, sim-asan, sim-tsan, and wasm-sim for the
// browser, where the page's one thread needs no shared memory), every Thread is a fiber on the one
// OS thread that first used Threadlab, and a scheduler seeded from THREADLAB_SEED (or following a
// schedule, THREADLAB_SCHEDULE: see explore_schedules) chooses which runnable fiber goes on at each
// scheduling point: every blocking call (Lock and RLock acquire, the waits, join, sleep,
// Thread.start), shared<T> loads and stores, and gil::checkpoint(), which CPU-bound code calls in
// its loops. Between two points a fiber runs alone, so the same seed gives the same interleaving,
// run after run.
//
// Clocks: wall time by default (sleep(1) takes a second), or virtual time with
// THREADLAB_CLOCK=virtual: each scheduling point costs 1 us, computing costs nothing, and when
// every fiber waits time jumps to the next deadline, so 10 threads x sleep(1) report 1.0 s and
// take milliseconds.
//
// When every fiber waits and no deadline is pending, nothing can ever wake them: the run ends
// with "Deadlock: all threads are asleep: <their names> wait, ..." on stderr and exit status 3
// (Go's "all goroutines are asleep"). When some of them wait for each other (a Lock or RLock
// another holds, a thread's end, the result of a task another runs), that cycle comes first, in
// the DeadlockDetector's words: "Deadlock:
// Thread-1 holds lock_a and waits for lock_b; Thread-2 holds lock_b and waits for lock_a". A
// DeadlockDetector's watchdog keeps a timeout pending, so with one installed its report comes
// instead.
#pragma once

#include "platform.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace threadlab {

#ifdef THREADLAB_SIM
namespace sim {
// The seed the scheduler draws its choices from: THREADLAB_SEED, else 1.
std::uint64_t seed();
// Start the choices over from `seed`. Only while the calling thread is the only one alive
// (RuntimeError otherwise): explore mode runs one program under many seeds in one process.
void reseed(std::uint64_t seed);
// Whether Clock is virtual (THREADLAB_CLOCK=virtual); set_virtual_clock(), with only the calling
// thread alive, switches (RuntimeError otherwise). Virtual time stands still while threads
// compute and jumps to the next deadline when all of them wait; while they wait for IO
// (ExternalWait: a download) and no deadline is pending, it follows the wall clock.
bool virtual_clock();
void set_virtual_clock(bool on);
// How finely threads interleave. At a scheduling point that does not block (shared<T> access,
// gil::checkpoint(), Lock acquire, Thread.start) the running thread goes on for a run of points
// drawn from the seed, of mean `points`, before the next draw of who runs, as an OS thread runs
// for a time slice. 1 (the default) draws at every point; larger runs a CPU-bound race many times
// faster and still loses updates. Blocking points always switch. ValueError below 1.
void set_quantum(std::uint64_t points);
std::uint64_t quantum();
// Fiber switches since the start: a measure of how much interleaving a run had.
std::uint64_t switches();

// Explore mode: run `program` under `runs` schedules (seeds first_seed, first_seed + 1, ...),
// each from a fresh seed, and group the runs by what `program` returned (its outcome, e.g.
// "counter=400"). Outcomes come in the order they first appeared, each with how many runs gave it
// and the first seed that did: reseed(seed) and run it again to replay that schedule. Call it
// with the caller alone (RuntimeError otherwise); use the virtual clock for speed.
struct Outcome {
    std::string text;
    int runs = 0;
    std::uint64_t first_seed = 0; // explore()
    std::string schedule;         // explore_schedules(): the one with the fewest preemptions
    int preemptions = 0;
};
std::vector<Outcome> explore(const std::function<std::string()>& program, int runs, std::uint64_t first_seed = 1);

// Systematic exploration, as CHESS does: every schedule with at most `max_preemptions`
// preemptions (a thread that could go on is switched out at a scheduling point), depth first,
// up to `max_runs` runs. Switches where the running thread blocks or ends are free, so every
// order of blocking threads is covered; few preemptions find most races (counter += 1 loses an
// update with one). A schedule is written as the decisions where it leaves the default (keep
// the running thread, else the first runnable), "3:1,9:2": follow_schedule(it), or
// THREADLAB_SCHEDULE=3:1,9:2, replays it. Each run is a child process (fork), on the virtual
// clock, with its output discarded, so a run that deadlocks ("Deadlock: Thread-1 holds ...") or
// crashes ("crashed: Aborted") is an outcome, not the end; an exception escaping `program` is
// "exception: <what>". Native sim builds only (RuntimeError in the browser); caller alone.
struct ScheduleExploration {
    std::vector<Outcome> outcomes;
    int runs = 0;
    bool complete = false; // every schedule within the bound ran (else max_runs stopped it)
};
ScheduleExploration explore_schedules(const std::function<std::string()>& program, int max_preemptions, int max_runs = 100000);
// From now on, choose as `schedule` (explore_schedules' text) says, until reseed(). ValueError if
// it is not such a text; RuntimeError unless the caller is alone.
void follow_schedule(const std::string& schedule);

// For a host that must keep control, as a page's frame loop must: from then on the main thread
// is the host, not one of the program's threads. It never yields at scheduling points; the other
// threads run only inside run_for(), which returns once none can run (all wait; on the virtual
// clock, time first jumps to the next deadline) or `budget` of wall time has passed. The host
// takes no part in the draws, so a seed gives the same interleaving whenever frames are drawn.
void run_for(std::chrono::nanoseconds budget);
// Whether any thread can still run: one is runnable, sleeping, waiting with a timeout, or waiting
// for an ExternalWait. False with threads alive means they all wait for good (a deadlock).
bool threads_can_run();
// How long until the earliest deadline a thread waits for (a sleep, a timeout), if one does: when
// a host should call run_for() again, between its frames.
std::optional<std::chrono::nanoseconds> until_next_deadline();

// Step mode ("be the scheduler"): while on, every choice of who runs next is the host's. run_for()
// runs no thread (deadlines still come, so sleepers become runnable); step(ident) runs that thread
// until its next scheduling point and returns; step(0) runs the one the seed would draw.
// runnable_threads() lists the choice, in the order the threads became runnable. step() raises
// ValueError for a thread that cannot run now, RuntimeError when none can.
struct ThreadChoice {
    unsigned long ident = 0; // Thread.ident
    std::string name;
};
void set_stepping(bool on);
bool stepping();
std::vector<ThreadChoice> runnable_threads();
void step(unsigned long ident = 0);

// A wait for something outside the scheduler, such as a download the browser makes: wait() parks
// the calling thread until done() is called (by a callback on the scheduler's thread). While one
// is pending, every thread waiting is not a deadlock: the scheduler lets the event loop run.
class ExternalWait {
public:
    ExternalWait();
    ExternalWait(const ExternalWait&) = delete;
    ExternalWait& operator=(const ExternalWait&) = delete;
    ~ExternalWait();
    void wait();
    void done();

private:
    bool done_ = false;
    detail::sim::WaitList waiters_;
};
#ifndef __EMSCRIPTEN__
// Natively, what ends ExternalWaits (in a page, the browser's event loop does): `poll(timeout)`
// waits at most `timeout` (none: a while, its choice) for their IO and calls done() on those that
// ended. The scheduler calls it when no thread can run but some wait for an ExternalWait, and with
// a zero timeout at most once a millisecond while others run, so that transfers go on. Without
// one, such a wait is waiting for good (the all-asleep report). The last one set is the one.
void set_external_poller(std::function<void(std::optional<std::chrono::nanoseconds> timeout)> poll);
#endif
} // namespace sim
#endif

} // namespace threadlab
