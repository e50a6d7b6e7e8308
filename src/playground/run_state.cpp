#include "run_state.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "presets.hpp"

#include <threadlab/threadlab.hpp>

namespace playground {

const char* to_string(TaskStatus status) {
    switch (status) {
    case TaskStatus::queued: return "queued";
    case TaskStatus::running: return "running";
    case TaskStatus::done: return "done";
    case TaskStatus::failed: return "failed";
    case TaskStatus::cancelled: return "cancelled";
    }
    return "?";
}

const char* to_string(RunPhase phase) {
    switch (phase) {
    case RunPhase::idle: return "idle";
    case RunPhase::running: return "running";
    case RunPhase::cancelling: return "cancelling";
    case RunPhase::finished: return "finished";
    case RunPhase::cancelled: return "cancelled";
    }
    return "?";
}

RunState::RunState(Scenario scenario)
    : scenario_(std::move(scenario)), started_at_(threadlab::perf_counter()) {}

double RunState::now() const { return threadlab::perf_counter() - started_at_.load(); }

void RunState::restart_clock() { started_at_.store(threadlab::perf_counter()); }

double RunState::elapsed() const {
    std::lock_guard lock(mutex_);
    return ended_at_ >= 0 ? ended_at_ : now();
}

TaskRecord* RunState::find(int id) {
    if (id < 1 || id > static_cast<int>(tasks_.size())) return nullptr;
    return &tasks_[id - 1];
}

void RunState::add_task(int id, std::string label, std::string thread) {
    const double t = now();
    std::lock_guard lock(mutex_);
    if (static_cast<int>(tasks_.size()) < id) tasks_.resize(id);
    TaskRecord& task = tasks_[id - 1];
    task.id = id;
    task.label = std::move(label);
    task.thread = std::move(thread);
    task.queued_at = t;
    ++version_;
}

void RunState::set_thread(int id, std::string thread) {
    std::lock_guard lock(mutex_);
    if (auto* task = find(id)) task->thread = std::move(thread);
    ++version_;
}

void RunState::begin_task(int id, std::string thread) {
    const double t = now();
    const std::uint32_t serial = threadlab::current_thread().serial();
    std::lock_guard lock(mutex_);
    if (auto* task = find(id)) {
        task->thread = std::move(thread);
        task->serial = serial;
        task->start = t;
        task->status = TaskStatus::running;
    }
    ++version_;
}

void RunState::finish_task(int id, TaskStatus status, std::uint64_t bytes, std::string error) {
    const double t = now();
    std::lock_guard lock(mutex_);
    auto* task = find(id);
    if (!task || task->end >= 0) return;
    task->end = t;
    task->status = status;
    task->bytes = bytes;
    task->error = std::move(error);
    if (task->start >= 0) completion_order_.push_back(id);
    ++version_;
}

void RunState::set_connecting(int id, double seconds) {
    std::lock_guard lock(mutex_);
    if (auto* task = find(id)) task->connecting = seconds;
}

void RunState::print(std::string line, int task_id) {
    std::lock_guard lock(mutex_);
    // A print of several lines ("Exception in thread ...:\nValueError: ...") is as many console
    // lines, kept together: nothing another thread prints comes between them.
    for (size_t start = 0, end; start <= line.size(); start = end + 1) {
        end = line.find('\n', start);
        if (end == std::string::npos) end = line.size();
        console_.push_back(line.substr(start, end - start));
    }
    if (TaskRecord* task = find(task_id)) task->last_line = console_.back();
    ++version_;
}

void RunState::add_deadlock(std::string message, std::vector<int> task_ids) {
    const double t = now();
    std::lock_guard lock(mutex_);
    console_.push_back(message);
    deadlocks_.push_back({std::move(message), t, std::move(task_ids)});
    ++version_;
}

void RunState::add_image(DownloadedImage image) {
    std::lock_guard lock(mutex_);
    new_images_.push_back(std::move(image));
}

void RunState::set_wall(double seconds) {
    std::lock_guard lock(mutex_);
    wall_ = seconds;
    ++version_;
}

void RunState::set_phase(RunPhase phase) {
    const double t = now();
    std::lock_guard lock(mutex_);
    if (ended_at_ >= 0) return; // over (possibly abandoned): a late runner cannot reopen it
    phase_ = phase;
    if ((phase == RunPhase::finished || phase == RunPhase::cancelled) && ended_at_ < 0) {
        ended_at_ = t;
        // A run that ends with tasks still open (abandoned after Cancel) closes them here, so the
        // report never shows a task running after the run ended.
        for (auto& task : tasks_) {
            if (task.end >= 0) continue;
            task.end = t;
            task.error = task.status == TaskStatus::running
                             ? "still running when the run was abandoned"
                             : "cancelled before it started";
            task.status = TaskStatus::cancelled;
        }
    }
    ++version_;
}

RunPhase RunState::phase() const {
    std::lock_guard lock(mutex_);
    return phase_;
}

bool RunState::snapshot_if_changed(std::uint64_t have_version, Snapshot& out) const {
    std::lock_guard lock(mutex_);
    out.now = ended_at_ >= 0 ? ended_at_ : now();
    if (have_version == version_) return false;
    out.phase = phase_;
    out.wall = wall_;
    out.tasks = tasks_;
    out.completion_order = completion_order_;
    out.console = console_;
    out.deadlocks = deadlocks_;
    out.version = version_;
    return true;
}

std::vector<DownloadedImage> RunState::take_new_images() {
    std::lock_guard lock(mutex_);
    return std::exchange(new_images_, {});
}

std::optional<Scenario> measured_tasks(const Scenario& given) {
    if (given.program.empty()) return given;
    std::optional<Scenario> tasks = tasks_of_program(given.program);
    if (tasks) tasks->gil = given.gil;
    return tasks;
}

SpeedUp speed_up(const RunState::Snapshot& s, const Scenario& given) {
    SpeedUp result;
    const std::optional<Scenario> tasks = measured_tasks(given);
    if (!tasks) return result;
    const Scenario& scenario = *tasks;
    // Known where a task's length is: a sleep's, and CPU work calibrated to take that long alone.
    if (scenario.kind == TaskKind::sleep || scenario.kind == TaskKind::cpu)
        result.sequential = scenario.count * scenario.seconds;
    const bool all_done = !s.tasks.empty() && std::all_of(s.tasks.begin(), s.tasks.end(), [](const TaskRecord& t) {
        return t.status == TaskStatus::done;
    });
    if (s.phase == RunPhase::finished && s.wall >= 0 && all_done) result.wall = s.wall;
    return result;
}

std::string gil_lesson(const RunState::Snapshot& s, const Scenario& given) {
    const SpeedUp speed = speed_up(s, given);
    if (speed.factor() <= 0) return {}; // also: a program that is no tasks
    const Scenario scenario = *measured_tasks(given);
    if (scenario.count < 2 || scenario.mode == RunMode::sequential) return {};
    char text[320];
    const int n = scenario.count;
    if (scenario.kind == TaskKind::cpu && scenario.gil)
        std::snprintf(text, sizeof text,
                      "With the GIL, %d CPU tasks took %.2f s against %.2f s one after another (%.1fx): only the "
                      "thread holding the GIL computes, so threads do not speed up CPU-bound work.",
                      n, speed.wall, speed.sequential, speed.factor());
    else if (scenario.kind == TaskKind::cpu)
        std::snprintf(text, sizeof text,
                      "Without a GIL, %d CPU tasks took %.2f s against %.2f s one after another (%.1fx): C++ threads "
                      "compute on every core at once. Tick \"Python mode\" to see CPython's GIL undo that.",
                      n, speed.wall, speed.sequential, speed.factor());
    else
        std::snprintf(text, sizeof text,
                      "%s, %d sleeps took %.2f s against %.2f s one after another (%.1fx): a thread that waits "
                      "gives the GIL up, so waiting (IO-bound work) overlaps either way.",
                      scenario.gil ? "With the GIL" : "Without a GIL", n, speed.wall, speed.sequential, speed.factor());
    return text;
}

std::optional<SlowThreadStarts> slow_thread_starts(const RunState::Snapshot& s, const Scenario& scenario) {
    const bool a_thread_per_task = !scenario.program.empty() || (scenario.mode == RunMode::threads && scenario.limit == 0);
    if (!a_thread_per_task || s.phase != RunPhase::running || s.tasks.empty()) return std::nullopt;
    SlowThreadStarts starts;
    int begun = 0;
    double first_made = s.now;
    for (const TaskRecord& task : s.tasks) {
        first_made = std::min(first_made, task.queued_at);
        if (task.start >= 0) ++begun;
        else if (task.status == TaskStatus::queued && s.now - task.queued_at >= SlowThreadStarts::kWaitedSeconds)
            ++starts.waiting;
    }
    if (starts.waiting < SlowThreadStarts::kMinWaiting) return std::nullopt;
    // The program makes its threads as earlier ones start, so some are not made yet.
    const int threads = scenario.program.empty() ? std::max<int>(scenario.count, s.tasks.size()) : s.tasks.size();
    starts.to_start = threads - begun;
    if (begun > 0 && s.now > first_made) {
        starts.per_second = begun / (s.now - first_made);
        starts.seconds_left = starts.to_start / starts.per_second;
    }
    return starts;
}

} // namespace playground
