// The run report as JSON, for window.threadlab.run() and the desktop app's --report.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <threadlab/platform.hpp>

#include "run_state.hpp"

namespace playground {
namespace {

// Milliseconds to 0.1 ms, or null for a time that has not happened (negative seconds).
nlohmann::json ms(double seconds) {
    if (seconds < 0) return nullptr;
    return std::round(seconds * 10000.0) / 10.0;
}

} // namespace

FrameTimes summarize_frame_intervals(std::vector<float> intervals_ms) {
    FrameTimes t;
    if (intervals_ms.empty()) return t;
    std::sort(intervals_ms.begin(), intervals_ms.end());
    const auto at = [&](double q) { return intervals_ms[static_cast<size_t>(q * (intervals_ms.size() - 1) + 0.5)]; };
    t.frames = static_cast<int>(intervals_ms.size());
    t.p50_ms = at(0.5);
    t.p95_ms = at(0.95);
    t.max_ms = intervals_ms.back();
    return t;
}

nlohmann::json report_value(const RunState::Snapshot& s, const Scenario& scenario, const FrameTimes* frames) {
    double task_seconds = 0;
    int done = 0, failed = 0, cancelled = 0;
    auto tasks = nlohmann::json::array();
    for (const auto& t : s.tasks) {
        if (t.start >= 0 && t.end >= 0) task_seconds += t.end - t.start;
        done += t.status == TaskStatus::done;
        failed += t.status == TaskStatus::failed;
        cancelled += t.status == TaskStatus::cancelled;
        tasks.push_back({{"id", t.id},
                         {"label", t.label},
                         {"thread", t.thread},
                         {"queued_ms", ms(t.queued_at)},
                         {"start_ms", ms(t.start)},
                         {"end_ms", ms(t.end)},
                         {"status", to_string(t.status)},
                         {"last_line", t.last_line},
                         {"bytes", t.bytes},
                         {"connecting_ms", ms(t.connecting)},
                         {"error", t.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.error)}});
    }
    auto deadlocks = nlohmann::json::array();
    for (const auto& d : s.deadlocks)
        deadlocks.push_back({{"message", d.message}, {"at_ms", ms(d.at)}, {"task_ids", d.task_ids}});
    const SpeedUp speed = speed_up(s, scenario);
    std::string console;
    for (const auto& line : s.console) console += line + "\n";
    nlohmann::json report = {{"status", to_string(s.phase)},
                             {"wall_ms", ms(s.wall >= 0 ? s.wall : s.now)},
                             {"task_ms_sum", ms(task_seconds)},
                             {"sequential_ms", ms(speed.sequential)},
                             {"speedup", speed.factor() > 0 ? nlohmann::json(std::round(speed.factor() * 100) / 100)
                                                            : nlohmann::json(nullptr)},
                             {"lesson", gil_lesson(s, scenario)},
                             {"done", done},
                             {"failed", failed},
                             {"cancelled", cancelled},
                             {"scenario", encode_query(to_fields(scenario))},
                             {"tasks", std::move(tasks)},
                             {"completion_order", s.completion_order},
                             {"deadlocks", std::move(deadlocks)},
                             {"console", console},
                             // How threads ran: on OS threads (Web Workers), or simulated (sim).
                             {"backend", threadlab::detail::simulated ? "simulated" : "threads"},
                             {"seed", scenario.seed ? nlohmann::json(scenario.seed) : nlohmann::json(nullptr)}};
    if (frames)
        report["frame_ms"] = {{"frames", frames->frames},
                              {"p50", ms(frames->p50_ms / 1000)},
                              {"p95", ms(frames->p95_ms / 1000)},
                              {"max", ms(frames->max_ms / 1000)}};
    return report;
}

std::string json_text(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string report_json(const RunState::Snapshot& snapshot, const Scenario& scenario, const FrameTimes* frames) {
    return json_text(report_value(snapshot, scenario, frames));
}

} // namespace playground
