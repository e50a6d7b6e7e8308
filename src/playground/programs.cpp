// [SECTION] Task bookkeeping  TaskScope: records start / end / status of one task
// [SECTION] Tasks             do_something (sleep), download_image (fetch), count_primes (cpu)
// [SECTION] Main programs     threads, pool (submit + as_completed), map, sequential
// [SECTION] run_program       picks the task and the main program; prints the total time
#include "programs.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <threadlab/gil.hpp>
#include <threadlab/threadlab.hpp>
#include <vector>

#include "print_routing.hpp"
#include "run_state.hpp"
#include "tasks/cpu_task.hpp"
#include "tasks/fetch.hpp"
#include "tasks/sleep_task.hpp"

namespace playground {
namespace tasks = threadlab::tasks;
namespace {

using RunPtr = std::shared_ptr<RunState>;

// Thumbnails are kept for the first tasks only: 1000 decoded images would not fit in memory.
constexpr int kMaxThumbnails = 120;

// [SECTION] Task bookkeeping ---------------------------------------------------------------------

// One task's record in the run: begins when constructed (on the thread that runs the task),
// ends with finish(). A task that finds the run cancelled before it starts is skipped.
class TaskScope {
public:
    TaskScope(const RunPtr& run, int id) : run_(run), id_(id) {
        route_prints_of_this_thread(run);
        if (run->cancel_requested.load()) {
            run->finish_task(id, TaskStatus::cancelled, 0, "cancelled before it started");
            finished_ = true;
            return;
        }
        run->begin_task(id, threadlab::current_thread().name());
    }
    ~TaskScope() {
        if (!finished_) run_->finish_task(id_, TaskStatus::failed, 0, "ended without a result");
    }
    TaskScope(const TaskScope&) = delete;
    TaskScope& operator=(const TaskScope&) = delete;

    bool skipped() const { return finished_; }
    const std::atomic<bool>* cancel_flag() const { return &run_->cancel_requested; }
    void finish(TaskStatus status, std::uint64_t bytes = 0, std::string error = {}) {
        run_->finish_task(id_, status, bytes, std::move(error));
        finished_ = true;
    }

private:
    RunPtr run_;
    int id_;
    bool finished_ = false;
};

// Marks the stretch of a main program that starts threads (see RunState::starting_threads).
class StartingThreads {
public:
    explicit StartingThreads(const RunPtr& run) : run_(run) { run_->starting_threads.store(true); }
    ~StartingThreads() { run_->starting_threads.store(false); }
    StartingThreads(const StartingThreads&) = delete;
    StartingThreads& operator=(const StartingThreads&) = delete;

private:
    RunPtr run_;
};

// Python prints args=[1] as 1 and 0.5 as 0.5.
std::string seconds_text(double seconds) {
    if (seconds == std::floor(seconds) && std::abs(seconds) < 1e9)
        return std::to_string(static_cast<long long>(seconds));
    return threadlab::format_float(seconds);
}

// [SECTION] Tasks --------------------------------------------------------------------------------

// def do_something(seconds): print(...); time.sleep(seconds); ...
// In the threads / sequential programs it prints "Done Sleeping..." itself (the tutorial's first
// example); in the pool programs it returns it and the main program prints the result.
std::string do_something(const RunPtr& run, int id, double seconds, bool prints_done) {
    TaskScope task(run, id);
    if (task.skipped()) return {};
    threadlab::println("Sleeping ", seconds_text(seconds), " Second(s)...");
    if (!tasks::sleep_unless_cancelled(seconds, task.cancel_flag())) {
        task.finish(TaskStatus::cancelled, 0, "cancelled while sleeping");
        return {};
    }
    if (prints_done) threadlab::println("Done Sleeping...");
    task.finish(TaskStatus::done);
    return "Done Sleeping...";
}

// def download_image(img_url): img_bytes = requests.get(img_url).content; ... print(...)
// A failed download says why and returns; the other downloads go on.
void download_image(const RunPtr& run, int id, const std::string& img_url) {
    TaskScope task(run, id);
    if (task.skipped()) return;
    const Scenario& scenario = run->scenario();
    tasks::FetchOptions options;
    options.timeout_s = scenario.timeout_s;
    options.cancel = task.cancel_flag();
    tasks::FetchResult response = tasks::fetch(img_url, options);
    run->set_connecting(id, response.connecting_s);
    const std::string img_name = image_name_from_url(img_url);
    if (!response.ok) {
        const bool cancelled = run->cancel_requested.load() && response.error == "cancelled";
        if (!cancelled) threadlab::println(img_name, " failed: ", response.error);
        task.finish(cancelled ? TaskStatus::cancelled : TaskStatus::failed, response.bytes.size(),
                    response.error);
        return;
    }
    threadlab::println(img_name, " is downloaded...");
    const std::size_t size = response.bytes.size();
    if (id <= kMaxThumbnails) run->add_image({id, std::move(response.bytes)}); // the UI decodes it
    task.finish(TaskStatus::done, size);
}

// def count_primes(first, last, repeats): CPU-bound work, counted for real.
long long count_primes(const RunPtr& run, int id, tasks::CpuWork work, bool prints_done) {
    TaskScope task(run, id);
    if (task.skipped()) return -1;
    threadlab::println("Counting primes from ", work.first, " to ", work.last, ", ", work.repeats, " times...");
    const long long found = tasks::count_primes(work, task.cancel_flag());
    if (found < 0) {
        task.finish(TaskStatus::cancelled, 0, "cancelled while counting");
        return -1;
    }
    if (prints_done) threadlab::println("Found ", found, " primes");
    task.finish(TaskStatus::done);
    return found;
}

// What the increment tasks share: the counter, and the Lock of the fixed version.
struct SharedCounter {
    threadlab::shared<long> counter{0};
    threadlab::Lock lock;
};

// def increment(times): for _ in range(times): counter += 1  (with lock: when fixed)
// counter += 1 on a shared<long> is a relaxed atomic read, then a write (shared.hpp), so the C++ is
// well-defined and two threads that read the same value both write value + 1: a lost update, for real.
void increment(const RunPtr& run, int id, SharedCounter& shared, int times, bool locked) {
    TaskScope task(run, id);
    if (task.skipped()) return;
    for (int i = 0; i < times; ++i) {
        if ((i & 4095) == 0) {
            if (run->cancel_requested.load(std::memory_order_relaxed)) {
                task.finish(TaskStatus::cancelled, 0, "cancelled while counting");
                return;
            }
            threadlab::gil::checkpoint(); // the eval breaker: between updates, never inside one
        }
        std::optional<std::lock_guard<threadlab::Lock>> with_lock;
        if (locked) with_lock.emplace(shared.lock);
        shared.counter += 1;
    }
    task.finish(TaskStatus::done);
}

// [SECTION] Main programs ------------------------------------------------------------------------

// What a main program needs to know about a task: its name as Python would show it in a thread
// name ("do_something"), a label per task, the call, and how the main program prints a result.
template <class Call, class Print> struct Program {
    const char* target_name;
    std::function<std::string(int id)> label;
    Call call;   // R(int id, bool prints_done)
    Print print; // void(const R&)
};

// threads = [] / for _ in range(n): t = threading.Thread(target=..., args=[...]); t.start(); ...
// for thread in threads: thread.join()
template <class P> void run_threads(const RunPtr& run, P& program) {
    std::vector<threadlab::Thread> threads;
    const int count = run->scenario().count;
    std::optional<StartingThreads> starting(std::in_place, run);
    for (int id = 1; id <= count; ++id) {
        if (run->cancel_requested.load()) break; // the rest stay queued; the run closes them
        auto call = program.call;
        threadlab::Thread t{threadlab::NamedTarget{program.target_name, [call, id] { call(id, true); }}};
        run->add_task(id, program.label(id), t.name());
        try {
            t.start();
        } catch (const threadlab::Exception& error) {
            // The browser may refuse more Workers; say so like Python would and stop creating.
            threadlab::println(error.type_name(), ": ", error.what());
            run->finish_task(id, TaskStatus::failed, 0, std::string(error.type_name()) + ": " + error.what());
            break;
        }
        threads.push_back(t);
    }
    starting.reset();
    for (auto& thread : threads) thread.join();
}

// with ThreadPoolExecutor(max_workers=n) as executor:
//     futures = [executor.submit(fn, arg) for arg in args]
//     for f in concurrent.futures.as_completed(futures): print(f.result())
template <class P> void run_pool_as_completed(const RunPtr& run, P& program) {
    const int count = run->scenario().count;
    threadlab::ThreadPoolExecutor executor{{.max_workers = run->scenario().workers}};
    using R = decltype(program.call(1, false));
    std::vector<threadlab::Future<R>> futures;
    std::optional<StartingThreads> starting(std::in_place, run); // submit() starts the workers
    for (int id = 1; id <= count; ++id) {
        run->add_task(id, program.label(id));
        futures.push_back(executor.submit(program.call, id, false));
    }
    starting.reset();
    for (auto& f : threadlab::as_completed(futures)) {
        if constexpr (std::is_void_v<R>) f.result();
        else program.print(f.result());
    }
}

// with ThreadPoolExecutor(max_workers=n) as executor:
//     for result in executor.map(fn, args): print(result)
template <class P> void run_pool_map(const RunPtr& run, P& program) {
    const int count = run->scenario().count;
    threadlab::ThreadPoolExecutor executor{{.max_workers = run->scenario().workers}};
    std::vector<int> ids;
    for (int id = 1; id <= count; ++id) {
        run->add_task(id, program.label(id));
        ids.push_back(id);
    }
    using R = decltype(program.call(1, false));
    auto call = program.call;
    std::optional<StartingThreads> starting(std::in_place, run); // map() submits everything at once
    auto results = executor.map([call](int id) { return call(id, false); }, ids);
    starting.reset();
    for (auto&& result : results) {
        if constexpr (!std::is_void_v<R>) program.print(result);
        else (void)result;
    }
}

// for arg in args: fn(arg)  - the baseline, all on the main thread.
template <class P> void run_sequential(const RunPtr& run, P& program) {
    const int count = run->scenario().count;
    const std::string me = threadlab::current_thread().name();
    for (int id = 1; id <= count; ++id) run->add_task(id, program.label(id), me);
    for (int id = 1; id <= count; ++id) {
        if (run->cancel_requested.load()) break;
        program.call(id, true);
    }
}

template <class P> void run_in_mode_unlimited(const RunPtr& run, P& program) {
    switch (run->scenario().mode) {
    case RunMode::threads: run_threads(run, program); break;
    case RunMode::pool: run_pool_as_completed(run, program); break;
    case RunMode::map: run_pool_map(run, program); break;
    case RunMode::sequential: run_sequential(run, program); break;
    }
}

template <class Call, class Print>
Program<Call, Print> make_program(const char* name, std::function<std::string(int)> label, Call call, Print print) {
    return {name, std::move(label), std::move(call), std::move(print)};
}

template <class P> void run_in_mode(const RunPtr& run, P& program) {
    if (const int limit = run->scenario().limit; limit > 0) {
        // with sem: around each task. The task's record begins once it holds the semaphore, so
        // the timeline shows the others queued until a place frees up.
        auto sem = std::make_shared<threadlab::BoundedSemaphore>(limit);
        auto limited = make_program(program.target_name, program.label,
                                    [sem, call = program.call](int id, bool prints_done) {
                                        std::lock_guard<threadlab::BoundedSemaphore> with_sem(*sem);
                                        return call(id, prints_done);
                                    },
                                    program.print);
        run_in_mode_unlimited(run, limited);
        return;
    }
    run_in_mode_unlimited(run, program);
}

} // namespace

// [SECTION] run_program --------------------------------------------------------------------------

void run_program(const RunPtr& run) {
    if (!run->scenario().program.empty()) return run_example_program(run);
    route_prints_of_this_thread(run);
    const Scenario& s = run->scenario();
    // Sized before the clock starts (the first time by a calibration of up to a second): the
    // program shown starts its clock with first, last and repeats already known.
    const tasks::CpuWork cpu_work = s.kind == TaskKind::cpu ? tasks::cpu_work_for_seconds(s.seconds) : tasks::CpuWork{};
    run->restart_clock();
    const double t1 = threadlab::perf_counter();
    try {
        switch (s.kind) {
        case TaskKind::sleep: {
            const double seconds = s.seconds;
            auto program = make_program(
                "do_something", [&](int) { return "do_something(" + seconds_text(seconds) + ")"; },
                [run, seconds](int id, bool prints_done) { return do_something(run, id, seconds, prints_done); },
                [](const std::string& result) { if (!result.empty()) threadlab::println(result); });
            run_in_mode(run, program);
            break;
        }
        case TaskKind::fetch: {
            const std::vector<std::string> urls = fetch_urls(s);
            auto program = make_program(
                "download_image", [&](int id) { return image_name_from_url(urls[id - 1]); },
                [run, urls](int id, bool) { download_image(run, id, urls[id - 1]); }, [](auto&&...) {});
            run_in_mode(run, program);
            break;
        }
        case TaskKind::cpu: {
            const tasks::CpuWork work = cpu_work;
            auto program = make_program(
                "count_primes",
                [&](int) {
                    return "count_primes(" + std::to_string(work.first) + ", " + std::to_string(work.last) + ", " +
                           std::to_string(work.repeats) + ")";
                },
                [run, work](int id, bool prints_done) { return count_primes(run, id, work, prints_done); },
                [](long long found) { if (found >= 0) threadlab::println("Found ", found, " primes"); });
            run_in_mode(run, program);
            break;
        }
        case TaskKind::increment: {
            auto shared = std::make_shared<SharedCounter>();
            auto program = make_program(
                "increment", [&](int) { return "increment(" + std::to_string(s.increments) + ")"; },
                [run, shared, times = s.increments, locked = s.lock](int id, bool) {
                    increment(run, id, *shared, times, locked);
                },
                [](auto&&...) {});
            run_in_mode(run, program);
            const long long expected = static_cast<long long>(s.count) * s.increments;
            const long got = shared->counter.load();
            if (!run->cancel_requested.load()) {
                run->lost_updates = expected - got;
                threadlab::println("expected ", expected, ", got ", got, " (", expected - got, " updates lost)");
            }
            break;
        }
        }
    } catch (const std::exception&) {
        threadlab::println("Traceback (most recent call last):");
        threadlab::println(threadlab::describe_exception(std::current_exception()));
    }
    const double t2 = threadlab::perf_counter();
    run->set_wall(t2 - t1);
    if (s.kind == TaskKind::sleep)
        threadlab::println("Successfully Executed in ", std::round((t2 - t1) * 100) / 100, " Second(s)");
    else
        threadlab::println("Finished in ", t2 - t1, " seconds");
    run->set_phase(run->cancel_requested.load() ? RunPhase::cancelled : RunPhase::finished);
}

} // namespace playground
