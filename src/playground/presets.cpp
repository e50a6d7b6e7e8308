#include "presets.hpp"

namespace playground {

namespace {
Scenario make(TaskKind kind, RunMode mode, int count, double seconds, int workers = 5,
              int latency_ms = 300) {
    Scenario s;
    s.kind = kind;
    s.mode = mode;
    s.count = count;
    s.seconds = seconds;
    s.workers = workers;
    s.latency_ms = latency_ms;
    return s;
}
Scenario limited(Scenario s, int limit) {
    s.limit = limit;
    return s;
}

// A million each (not the 100,000 of many tutorials): long enough that the threads really run at
// the same time even where starting one takes a millisecond (a Web Worker), so updates are lost.
Scenario counting(Scenario s, bool lock) {
    s.increments = 1'000'000;
    s.lock = lock;
    return s;
}
// One of the tutorial's programs, run as written (example_programs.hpp); `tasks` is what it
// does, for a preset whose tasks_form is set.
Scenario program(const char* slug, Scenario tasks = {}) {
    tasks.program = slug;
    return tasks;
}
} // namespace

const std::vector<Preset>& presets() {
    using K = TaskKind;
    using M = RunMode;
    static const std::vector<Preset> list = {
        {"ten-threads", "Example of Threading (10 threads x 1 s)",
         "10 threads each sleep 1 s: done in ~1 s instead of 10.",
         program("ten-threads", make(K::sleep, M::threads, 10, 1)), true},
        {"thread-basics", "Thread(), start() and join()",
         "One thread runs do_something; main waits in join(), then starting it again raises RuntimeError.",
         program("thread-basics", make(K::sleep, M::threads, 1, 1)), true},
        {"current-thread", "current_thread() and main_thread()",
         "A thread named worker prints its own name and the main thread's.", program("current-thread")},
        {"local-data", "To maintain local data: threading.local()",
         "3 threads each set their own x; main's x stays 10, and the global list holds what all 3 added.",
         program("local-data")},
        {"pool-submit", "ThreadPool: submit() and result()", "One task submitted to a pool; main prints f1.result().",
         program("pool-submit", make(K::sleep, M::pool, 1, 1)), true},
        {"as-completed", "ThreadPool: as_completed()",
         "Tasks of 0.5, 0.4, 0.3, 0.2 and 0.1 s submitted in that order; results print as each finishes, shortest "
         "first.",
         program("pool-as-completed")},
        {"pool-map", "ThreadPool: map()",
         "The same five tasks with map(): results print in the order of the arguments, longest first.",
         program("pool-map")},
        {"download-15", "Real life Example: download 15 images",
         "The tutorial's 15 photos with executor.map (15 workers, 300 ms latency each).",
         make(K::fetch, M::map, 15, 1, 15, 300)},
        {"download-15-sequential", "Download 15 images one by one (baseline)",
         "The same 15 photos downloaded sequentially: about 15 x the latency.",
         make(K::fetch, M::sequential, 15, 1, 1, 300)},
        {"cpu-bound", "IO bound vs CPU bound: 4 CPU tasks",
         "4 prime-counting tasks on threads: C++ threads run on every core (no GIL).",
         make(K::cpu, M::threads, 4, 1)},
        {"thousand-threads", "1000 threads", "1000 threads each sleep 1 s.", make(K::sleep, M::threads, 1000, 1)},
        {"semaphore-downloads", "Semaphore: at most 3 downloads at once",
         "The 15 photos on 15 threads, but a BoundedSemaphore(3) lets only 3 download at a time.",
         limited(make(K::fetch, M::threads, 15, 1, 5, 300), 3)},
        {"producer-consumer", "Producer and consumers: queue.Queue",
         "A producer puts 8 items into a Queue(maxsize=3); two consumers get() them; q.join() waits for all.",
         program("producer-consumer")},
        {"race", "Race condition: counter += 1 on 4 threads",
         "4 threads each add 1 to a shared counter a million times, without a lock: updates are lost.",
         counting(make(K::increment, M::threads, 4, 1), false)},
        {"race-fixed", "Race condition fixed with a Lock",
         "The same 4 threads take a Lock around counter += 1: every update counts.", counting(make(K::increment, M::threads, 4, 1), true)},
        {"deadlock", "Deadlock: two locks taken in opposite orders",
         "Thread-1 holds lock_a and waits for lock_b; Thread-2 holds lock_b and waits for lock_a. The detector names "
         "the cycle and breaks it.",
         program("deadlock")},
        {"pool-deadlock", "Deadlock in a pool: a task waits for a task queued behind it",
         "On a one-worker pool, a task calls result() on a future that only that busy worker could run.",
         program("pool-deadlock")},
    };
    return list;
}

const Preset* find_preset(std::string_view slug) {
    for (const auto& preset : presets())
        if (slug == preset.slug) return &preset;
    return nullptr;
}

std::optional<Scenario> tasks_of_program(std::string_view program) {
    for (const auto& preset : presets()) {
        if (preset.tasks_form && preset.scenario.program == program) {
            Scenario tasks = preset.scenario;
            tasks.program.clear();
            return tasks;
        }
    }
    return std::nullopt;
}

} // namespace playground
