// playground/run_state.hpp - everything one run produces, shared between its threads and the UI.
//
// Task threads and the runner write (begin/finish a task, print a line, hand over an image); the UI
// thread takes a Snapshot once per frame. Every lock is held only to copy a few fields, so the
// UI thread never waits on a task.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "scenario.hpp"

namespace playground {

enum class TaskStatus { queued, running, done, failed, cancelled };
const char* to_string(TaskStatus status);

struct TaskRecord {
    int id = 0;                 // 1..count, in the order the program creates the tasks
    std::string label;          // "do_something(1)", "photo-1516117172878-fd2c41f4a759"
    std::string thread;         // the Python-style name of the thread that ran it ("" if none)
    std::uint32_t serial = 0;   // that thread's identity (Thread::serial()), once the task began
    double queued_at = 0;       // seconds since the run started: created / submitted
    double start = -1;          // began running (-1: not yet)
    double end = -1;            // finished (-1: not yet)
    TaskStatus status = TaskStatus::queued;
    std::uint64_t bytes = 0;    // fetch: bytes downloaded
    double connecting = 0;      // fetch: seconds before its request went out (FetchResult::connecting_s)
    std::string error;          // failed / cancelled: why
    std::string last_line;      // a program's thread: the last line it printed (drawn in its bar)
};

// A download's body, for the UI to show as a thumbnail (ThumbnailCache decodes it).
struct DownloadedImage {
    int task_id = 0;
    std::vector<std::uint8_t> bytes;
};

// A deadlock the detector found (threadlab/deadlock.hpp) while a program ran.
struct DeadlockRecord {
    std::string message;       // "Deadlock: Thread-1 holds lock_a and waits for lock_b; ..."
    double at = 0;             // seconds since the run started, when it was reported
    std::vector<int> task_ids; // the bars of the threads in the cycle (drawn red)
};

enum class RunPhase { idle, running, cancelling, finished, cancelled };
const char* to_string(RunPhase phase);

class RunState {
public:
    explicit RunState(Scenario scenario);

    const Scenario& scenario() const { return scenario_; }
    double elapsed() const; // seconds since the run started (now, or at the end when over)

    // [Task side] All thread-safe.
    void add_task(int id, std::string label, std::string thread = {});
    void set_thread(int id, std::string thread); // the thread is known before the task starts
    void begin_task(int id, std::string thread); // on the thread that runs it (its serial is taken)
    void finish_task(int id, TaskStatus status, std::uint64_t bytes = 0, std::string error = {});
    // A download's time before its request went out, for the report (the timeline has it from
    // the event stream).
    void set_connecting(int id, double seconds);
    void print(std::string line, int task_id = 0); // task_id: also that task's last_line
    void add_deadlock(std::string message, std::vector<int> task_ids); // also prints the message
    void add_image(DownloadedImage image);
    void set_wall(double seconds); // what the program measured (t2 - t1)
    void set_phase(RunPhase phase);

    // Set by Cancel; tasks and the runner poll it.
    std::atomic<bool> cancel_requested{false};
    // True while the program creates its threads or submits its tasks. In the browser each new
    // thread needs a turn of the page's main thread (Emscripten proxies pthread_create to it),
    // so the page renders less often meanwhile (main_web.cpp).
    std::atomic<bool> starting_threads{false};
    // A race (kind increment) that ran to its end: how many updates it lost; -1 before, or none.
    std::atomic<long long> lost_updates{-1};

    // [UI side]
    struct Snapshot {
        RunPhase phase = RunPhase::idle;
        double now = 0;  // elapsed()
        double wall = -1; // measured wall time, -1 until the program printed it
        std::vector<TaskRecord> tasks;
        std::vector<int> completion_order; // task ids in the order they ended
        std::vector<std::string> console;
        std::vector<DeadlockRecord> deadlocks;
        std::uint64_t version = 0; // changes whenever anything above (but `now`) changes
    };
    // Copies only when something changed since `have_version` (returns false otherwise).
    bool snapshot_if_changed(std::uint64_t have_version, Snapshot& out) const;
    // Images added since the last call (moved out: each is handed over once).
    std::vector<DownloadedImage> take_new_images();
    RunPhase phase() const;
    double started_at() const { return started_at_.load(); }
    // The program calls this first thing (its t1 = perf_counter()), so every time in the run -
    // bars, report, console - counts from the same moment as the program's own measurement.
    void restart_clock();

private:
    TaskRecord* find(int id); // caller holds mutex_
    double now() const;

    const Scenario scenario_;
    std::atomic<double> started_at_; // perf_counter() at creation, then at the program's start
    mutable std::mutex mutex_;
    std::uint64_t version_ = 1;
    RunPhase phase_ = RunPhase::running;
    double ended_at_ = -1;
    double wall_ = -1;
    std::vector<TaskRecord> tasks_; // index = id - 1
    std::vector<int> completion_order_;
    std::vector<std::string> console_;
    std::vector<DeadlockRecord> deadlocks_;
    std::vector<DownloadedImage> new_images_;
};

// The speed-up a learner can trust: how long the same tasks take one after another, against how
// long this run took. Known for sleep and CPU tasks: count x seconds (a CPU task's work is sized
// to take its seconds alone on one core, tasks/cpu_task.hpp). Not for downloads: their time
// depends on the network (a static host simulates no latency), so there the page says to time
// the same downloads with mode=sequential. (The sum of task times is no baseline: a task that
// waits for a core is counted as running.)
struct SpeedUp {
    double sequential = -1; // seconds one after another; -1: not known (downloads)
    double wall = -1;       // seconds this run took; -1: not finished (running, cancelled, a task failed)
    double factor() const { return sequential > 0 && wall > 0 ? sequential / wall : -1; } // -1: none
};
// What a run's speed-up is measured on: its tasks, or the tasks a program is (program=ten-threads
// is 10 threads x 1 s), with the run's GIL setting; nullopt for other programs.
std::optional<Scenario> measured_tasks(const Scenario& scenario);
SpeedUp speed_up(const RunState::Snapshot& snapshot, const Scenario& scenario);
// What a finished run of timed tasks teaches about threads and the GIL, in one sentence with its
// numbers ("With the GIL, 4 CPU tasks took 4.10 s: ..."); empty while the speed-up is not known.
std::string gil_lesson(const RunState::Snapshot& snapshot, const Scenario& scenario);

// Threads whose start() was called long ago but whose target has not begun. In a browser every
// real thread is a Web Worker, which the browser creates one at a time, tens of ms each (and
// Firefox runs at most 512 at once): 1000 threads take a minute to start where simulated threads
// take a second, and the page says so. nullopt when few threads wait, or not for long, and for
// runs whose tasks may wait for something else (a pool's workers, a limit's semaphore).
struct SlowThreadStarts {
    int waiting = 0;          // started threads whose target has not begun, for >= kWaitedSeconds
    int to_start = 0;         // threads whose target has not begun, made yet or not
    double per_second = 0;    // targets begun per second since the first thread was made
    double seconds_left = -1; // at that rate, until the last one begins (made yet or not); -1: none has begun
    static constexpr int kMinWaiting = 20;
    static constexpr double kWaitedSeconds = 0.5;
};
std::optional<SlowThreadStarts> slow_thread_starts(const RunState::Snapshot& snapshot, const Scenario& scenario);

// How smoothly the UI drew while a run was in flight: the intervals between its frames.
struct FrameTimes {
    int frames = 0;
    double p50_ms = 0, p95_ms = 0, max_ms = 0;
};
FrameTimes summarize_frame_intervals(std::vector<float> intervals_ms);

// The report window.threadlab.run() resolves with:
// {wall_ms, sequential_ms, speedup, tasks: [{id, thread, start_ms, end_ms, status, bytes, connecting_ms, error}],
//  console, deadlocks: [{message, at_ms, task_ids}], frame_ms: {frames, p50, p95, max}, ...}. frame_ms only when frames is given;
// sequential_ms and speedup are null where speed_up() does not know them.
std::string report_json(const RunState::Snapshot& snapshot, const Scenario& scenario,
                        const FrameTimes* frames = nullptr);
// A JSON value as the page gets it: compact, invalid UTF-8 (a URL's bytes in an error) replaced
// rather than thrown on. Every JSON text the playground hands out goes through it.
std::string json_text(const nlohmann::json& value);
// The same report as a JSON value, to embed in another (window.threadlab.state()).
nlohmann::json report_value(const RunState::Snapshot& snapshot, const Scenario& scenario,
                            const FrameTimes* frames = nullptr);

} // namespace playground
