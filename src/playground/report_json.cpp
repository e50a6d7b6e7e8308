// The run report as JSON, for window.threadlab.run() and the desktop app's --report.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "run_state.hpp"

namespace playground {
namespace {

void append_string(std::string& out, const std::string& text) {
    out += '"';
    for (unsigned char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                out += escaped;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void append_ms(std::string& out, double seconds) {
    if (seconds < 0) {
        out += "null";
        return;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", seconds * 1000.0);
    out += text;
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

std::string report_json(const RunState::Snapshot& s, const Scenario& scenario, const FrameTimes* frames) {
    std::string out = "{\"status\":";
    append_string(out, to_string(s.phase));
    out += ",\"wall_ms\":";
    append_ms(out, s.wall >= 0 ? s.wall : s.now);
    double task_seconds = 0;
    int done = 0, failed = 0, cancelled = 0;
    for (const auto& t : s.tasks) {
        if (t.start >= 0 && t.end >= 0) task_seconds += t.end - t.start;
        done += t.status == TaskStatus::done;
        failed += t.status == TaskStatus::failed;
        cancelled += t.status == TaskStatus::cancelled;
    }
    out += ",\"task_ms_sum\":";
    append_ms(out, task_seconds);
    out += ",\"done\":" + std::to_string(done) + ",\"failed\":" + std::to_string(failed) +
           ",\"cancelled\":" + std::to_string(cancelled);
    out += ",\"scenario\":\"" + encode_query(to_fields(scenario)) + "\"";
    out += ",\"tasks\":[";
    for (size_t i = 0; i < s.tasks.size(); ++i) {
        const auto& t = s.tasks[i];
        if (i) out += ',';
        out += "{\"id\":" + std::to_string(t.id) + ",\"label\":";
        append_string(out, t.label);
        out += ",\"thread\":";
        append_string(out, t.thread);
        out += ",\"queued_ms\":";
        append_ms(out, t.queued_at);
        out += ",\"start_ms\":";
        append_ms(out, t.start);
        out += ",\"end_ms\":";
        append_ms(out, t.end);
        out += ",\"status\":";
        append_string(out, to_string(t.status));
        out += ",\"bytes\":" + std::to_string(t.bytes) + ",\"error\":";
        if (t.error.empty()) out += "null";
        else append_string(out, t.error);
        out += '}';
    }
    out += "],\"completion_order\":[";
    for (size_t i = 0; i < s.completion_order.size(); ++i)
        out += (i ? "," : "") + std::to_string(s.completion_order[i]);
    out += "],\"console\":";
    std::string console;
    for (const auto& line : s.console) console += line + "\n";
    append_string(out, console);
    if (frames) {
        out += ",\"frame_ms\":{\"frames\":" + std::to_string(frames->frames) + ",\"p50\":";
        append_ms(out, frames->p50_ms / 1000);
        out += ",\"p95\":";
        append_ms(out, frames->p95_ms / 1000);
        out += ",\"max\":";
        append_ms(out, frames->max_ms / 1000);
        out += '}';
    }
    out += '}';
    return out;
}

} // namespace playground
