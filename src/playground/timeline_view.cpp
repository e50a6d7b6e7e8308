// [SECTION] Lanes     which thread ran which task, in the order threads appeared
// [SECTION] Axis      seconds from the start of the run, with round tick steps
// [SECTION] Bars      bars for the GPU renderer (or ImGui rectangles if shaders failed)
// [SECTION] Tooltip   details of the task under the mouse
// [SECTION] draw_timeline
#include "timeline_view.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "keyboard.hpp"
#include "theme.hpp"

namespace playground {
namespace {

constexpr float kAxisHeight = 22;
constexpr float kMaxLaneHeight = 22;
constexpr float kMinLaneHeight = 4;
constexpr const char* kQueueLane = "waiting for a worker";

// [SECTION] Lanes --------------------------------------------------------------------------------

// "Thread-2" < "Thread-10": digit runs compare as numbers. No allocation: with 1000 lanes the
// sort runs ~10,000 comparisons every frame.
bool natural_less(std::string_view a, std::string_view b) {
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            size_t i_end = i, j_end = j;
            while (i_end < a.size() && digit(a[i_end])) ++i_end;
            while (j_end < b.size() && digit(b[j_end])) ++j_end;
            const std::string_view x = a.substr(i, i_end - i), y = b.substr(j, j_end - j);
            if (x.size() != y.size()) return x.size() < y.size();
            if (x != y) return x < y;
            i = i_end;
            j = j_end;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

struct Lane {
    std::uint32_t serial = 0; // the thread's identity; 0 for the queue
    std::string_view name;    // a task's thread name, kept by the snapshot the lanes are built from
    double first_seen = 0;
    std::vector<const TaskRecord*> tasks;
};

// One lane per thread, keyed by its serial; a task given a thread that has not begun it yet (a
// Thread created, not started) has only its name, which finds the lane of a thread that began one.
// Built every frame, so hash maps of ids and views rather than ordered maps of copied names.
std::vector<Lane> build_lanes(const std::vector<TaskRecord>& tasks, Lane& queue) {
    std::unordered_map<std::string_view, std::uint32_t> serial_of;
    for (const auto& task : tasks)
        if (task.serial) serial_of.emplace(task.thread, task.serial);
    std::vector<Lane> lanes;
    std::unordered_map<std::uint32_t, std::size_t> lane_of_serial;
    std::unordered_map<std::string_view, std::size_t> lane_of_name; // threads without a serial yet
    lane_of_serial.reserve(tasks.size());
    for (const auto& task : tasks) {
        if (task.id == 0) continue;
        if (task.thread.empty()) {
            if (task.status == TaskStatus::queued) queue.tasks.push_back(&task);
            continue;
        }
        std::uint32_t serial = task.serial;
        if (!serial)
            if (auto it = serial_of.find(task.thread); it != serial_of.end()) serial = it->second;
        const std::size_t next = lanes.size();
        const std::size_t index = serial ? lane_of_serial.try_emplace(serial, next).first->second
                                         : lane_of_name.try_emplace(task.thread, next).first->second;
        const double seen = task.start >= 0 ? std::min(task.queued_at, task.start) : task.queued_at;
        if (index == next) lanes.push_back({serial, task.thread, seen, {}});
        Lane& lane = lanes[index];
        lane.first_seen = std::min(lane.first_seen, seen);
        lane.tasks.push_back(&task);
    }
    // Python numbers its threads in creation order (Thread-2 before Thread-10, ..._0_2 before
    // ..._0_10), so a natural sort of the names is the order the program made them.
    std::sort(lanes.begin(), lanes.end(), [](const Lane& a, const Lane& b) { return natural_less(a.name, b.name); });
    return lanes;
}

// [SECTION] Axis ---------------------------------------------------------------------------------

double tick_step(double seconds_visible, float pixels) {
    static const double steps[] = {0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
                                   1, 2, 5, 10, 15, 30, 60, 120, 300};
    for (double step : steps)
        if (pixels * step / seconds_visible >= 64) return step;
    return 600;
}

std::string tick_label(double t, double step) {
    char text[32];
    if (std::fabs(t) < step * 1e-3) t = 0; // not "-0.0 s"
    if (step >= 1) std::snprintf(text, sizeof text, "%.0f s", t);
    else if (step >= 0.1) std::snprintf(text, sizeof text, "%.1f s", t);
    else if (step >= 0.01) std::snprintf(text, sizeof text, "%.2f s", t);
    else if (step >= 0.001) std::snprintf(text, sizeof text, "%.0f ms", t * 1000);
    else std::snprintf(text, sizeof text, "%.1f ms", t * 1000);
    return text;
}

double timeline_end(const RunState::Snapshot& s) {
    double latest = 0;
    for (const auto& task : s.tasks) latest = std::max({latest, task.end, task.start, task.queued_at});
    const bool live = s.phase == RunPhase::running || s.phase == RunPhase::cancelling;
    if (live) return std::max({1.0, s.now * 1.12, latest * 1.05});
    const double end = s.wall > 0 ? std::max(s.wall, latest) : std::max(latest, s.now);
    return std::max(0.05, end * 1.04);
}

// [SECTION] Bars ---------------------------------------------------------------------------------

// Seconds [t0, t1] of the run across the plot's pixels [plot_x0, plot_x1].
struct Geometry {
    float plot_x0, plot_x1;
    double t0, t1;
    float x(double t) const { return plot_x0 + static_cast<float>((t - t0) / (t1 - t0)) * (plot_x1 - plot_x0); }
    double t(float x) const { return t0 + (x - plot_x0) / (plot_x1 - plot_x0) * (t1 - t0); }
};

// [SECTION] Zoom ---------------------------------------------------------------------------------

constexpr double kMinSpan = 0.002; // s: the deepest zoom

// The reader's view after a zoom by `factor` around the time `at`, within [0, t_end].
void zoom_view(TimelineZoom& zoom, double at, double factor, double t_end) {
    const double span = std::clamp((zoom.t1 - zoom.t0) * factor, kMinSpan, t_end);
    if (span >= t_end * 0.999) {
        zoom = {};
        return;
    }
    const double t0 = at - (at - zoom.t0) * span / (zoom.t1 - zoom.t0);
    zoom.t0 = std::clamp(t0, 0.0, t_end - span);
    zoom.t1 = zoom.t0 + span;
    zoom.fit = false;
}

// The view moved by `dt` seconds, within [0, t_end].
void pan_view(TimelineZoom& zoom, double dt, double t_end) {
    const double span = zoom.t1 - zoom.t0;
    zoom.t0 = std::clamp(zoom.t0 + dt, 0.0, std::max(0.0, t_end - span));
    zoom.t1 = zoom.t0 + span;
}

// An overview of the whole run above the lanes: how many threads run (and wait to) at each
// moment, with the part the lanes show outlined. A click or drag there moves the view.
void draw_overview(const RunState::Snapshot& s, TimelineZoom& zoom, double t_end, float x0, float x1, float height) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const Geometry whole{x0, x1, 0, t_end};
    const int columns = std::max(1, static_cast<int>(x1 - x0));
    // Difference arrays: +1 where a task starts running (or waiting), -1 after it ends.
    std::vector<int> running(columns + 1, 0), waiting(columns + 1, 0);
    auto column = [&](double t) { return std::clamp(static_cast<int>(whole.x(t) - x0), 0, columns - 1); };
    for (const TaskRecord& task : s.tasks) {
        const double end = task.end >= 0 ? task.end : s.now;
        if (task.start >= 0) {
            ++running[column(task.start)];
            --running[column(end) + 1];
        }
        const double waited_to = task.start >= 0 ? task.start : end;
        if (waited_to - task.queued_at > 0.004) {
            ++waiting[column(task.queued_at)];
            --waiting[column(waited_to) + 1];
        }
    }
    int most = 1;
    for (int c = 0, r = 0, w = 0; c < columns; ++c) {
        running[c] = r += running[c];
        waiting[c] = w += waiting[c];
        most = std::max(most, r + w);
    }
    ImDrawList* list = ImGui::GetWindowDrawList();
    list->AddRectFilled({x0, p.y}, {x1, p.y + height}, ImGui::ColorConvertFloat4ToU32(palette().lane_even));
    const ImU32 run_colour = ImGui::ColorConvertFloat4ToU32(status_color(TaskStatus::running));
    const ImU32 wait_colour = ImGui::ColorConvertFloat4ToU32(status_color(TaskStatus::queued));
    for (int c = 0; c < columns; ++c) {
        const float x = x0 + c, r = height * running[c] / most, w = height * waiting[c] / most;
        if (r > 0) list->AddLine({x + 0.5f, p.y + height}, {x + 0.5f, p.y + height - r}, run_colour);
        if (w > 0) list->AddLine({x + 0.5f, p.y + height - r}, {x + 0.5f, p.y + height - r - w}, wait_colour);
    }
    const float v0 = zoom.fit ? x0 : whole.x(zoom.t0), v1 = zoom.fit ? x1 : whole.x(zoom.t1);
    list->AddRect({v0, p.y}, {std::max(v1, v0 + 3), p.y + height}, palette().now_line, 0, 0, 1.5f);
    ImGui::SetCursorScreenPos({x0, p.y});
    ImGui::InvisibleButton("overview", {x1 - x0, height});
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("All %d threads over the whole run: how many run (and wait to start) at each moment.\n"
                          "Click or drag to move the view; the wheel over the lanes zooms.",
                          static_cast<int>(s.tasks.size()));
    if (ImGui::IsItemActive() && !zoom.fit) {
        pan_view(zoom, whole.t(ImGui::GetIO().MousePos.x) - (zoom.t0 + zoom.t1) / 2, t_end);
    }
}

void add_bar(TimelineRenderer& renderer, ImDrawList* list, float x0, float y0, float x1, float y1,
             ImVec4 color, BarStyle style) {
    x1 = std::max(x1, x0 + 2.0f);
    if (renderer.ready()) {
        renderer.add({x0, y0, x1, y1, color.x, color.y, color.z, color.w, bar_style(style),
                      std::min(4.0f, (y1 - y0) * 0.35f)});
    } else {
        list->AddRectFilled({x0, y0}, {x1, y1}, ImGui::ColorConvertFloat4ToU32(color), 2.0f);
    }
}

// own_lane: the task is its thread's only task (one Thread per task), so the time between start()
// and the target running belongs to this lane. A pool task waits in the shared queue instead.
void add_task_bars(TimelineRenderer& renderer, ImDrawList* list, const Geometry& g, const TaskRecord& task,
                   double now, float y0, float y1, bool own_lane) {
    const double end = task.end >= 0 ? task.end : now;
    if (task.start < 0) { // never started: waiting for its thread, or cancelled before it started
        if (task.status == TaskStatus::queued && own_lane)
            add_bar(renderer, list, g.x(task.queued_at), y0, g.x(end), y1, status_color(TaskStatus::queued),
                    BarStyle::queued);
        return;
    }
    // The wait between start() / submit() and the target running (e.g. a new Web Worker booting).
    if (own_lane && task.start - task.queued_at > 0.004) {
        const float inset = (y1 - y0) * 0.3f;
        add_bar(renderer, list, g.x(task.queued_at), y0 + inset, g.x(task.start), y1 - inset,
                status_color(TaskStatus::queued), BarStyle::queued);
    }
    add_bar(renderer, list, g.x(task.start), y0, g.x(end), y1, status_color(task.status),
            task.status == TaskStatus::running ? BarStyle::running : BarStyle::solid);
}

// [SECTION] Tooltip ------------------------------------------------------------------------------

void task_tooltip(const TaskRecord& task, double now) {
    auto ms = [](double seconds) { return seconds * 1000.0; };
    ImGui::BeginTooltip();
    ImGui::TextColored(status_color(task.status), "#%d  %s", task.id, task.label.c_str());
    ImGui::Separator();
    ImGui::Text("thread     %s", task.thread.empty() ? "(none yet)" : task.thread.c_str());
    ImGui::Text("state      %s", to_string(task.status));
    ImGui::Text("queued at  %.1f ms", ms(task.queued_at));
    if (task.start >= 0) {
        ImGui::Text("started    %.1f ms  (waited %.1f ms)", ms(task.start), ms(task.start - task.queued_at));
        const double end = task.end >= 0 ? task.end : now;
        ImGui::Text("%s   %.1f ms  (ran %.1f ms)", task.end >= 0 ? "finished" : "now     ", ms(end),
                    ms(end - task.start));
    }
    if (task.bytes) ImGui::Text("bytes      %llu", static_cast<unsigned long long>(task.bytes));
    if (!task.error.empty()) ImGui::TextColored(palette().error, "error      %s", task.error.c_str());
    if (!task.last_line.empty()) ImGui::Text("printed    %s", task.last_line.c_str());
    ImGui::EndTooltip();
}

// [SECTION] Thread states ------------------------------------------------------------------------

namespace ev = threadlab::events;

// Okabe and Ito's palette, told apart by every common colour vision; running has no band.
ImVec4 state_color(ev::State state) {
    auto rgb = [](int r, int g, int b) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, 1.0f); };
    switch (state) {
    case ev::State::running: return {0, 0, 0, 0};
    case ev::State::sleeping: return rgb(86, 180, 233);  // sky blue
    case ev::State::io: return rgb(0, 158, 115);         // bluish green
    case ev::State::connecting: return rgb(0, 114, 178); // blue
    case ev::State::blocked_on_lock: return rgb(213, 94, 0); // vermillion
    case ev::State::waiting_condition:
    case ev::State::waiting_event:
    case ev::State::waiting_semaphore:
    case ev::State::waiting_barrier: return rgb(230, 159, 0); // orange
    case ev::State::waiting_future:
    case ev::State::waiting_join: return rgb(204, 121, 167); // reddish purple
    case ev::State::waiting_gil: return rgb(240, 228, 66);   // yellow
    case ev::State::waiting_work:
    case ev::State::other_wait: return rgb(140, 140, 150);   // grey
    }
    return {0.5f, 0.5f, 0.5f, 1};
}
const ImVec4 kGilColor{0.94f, 0.89f, 0.26f, 1.0f}; // the strip of a thread holding the GIL

// One legend entry per colour (states that share a colour share an entry).
void states_legend(bool gil) {
    struct Entry {
        ev::State state;
        const char* label;
    };
    static const Entry entries[] = {
        {ev::State::sleeping, "sleep"},
        {ev::State::connecting, "connection"},
        {ev::State::io, "IO"},
        {ev::State::blocked_on_lock, "lock"},
        {ev::State::waiting_event, "Event/Condition/Semaphore/Barrier"},
        {ev::State::waiting_future, "future/join"},
        {ev::State::waiting_work, "idle"},
        {ev::State::waiting_gil, "GIL"},
    };
    const float h = ImGui::GetTextLineHeight();
    ImGui::TextDisabled("waiting on:");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("The band along a lane's bottom: what its thread waits for (hover a lane for the object\n"
                          "and, for a lock, the thread holding it). No band: running. A strip along the top: holds the GIL.");
    for (const Entry& entry : entries) {
        if (entry.state == ev::State::waiting_gil && !gil) continue;
        ImGui::SameLine();
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddRectFilled({p.x, p.y + h * 0.55f}, {p.x + 12, p.y + h - 1},
                                                  ImGui::ColorConvertFloat4ToU32(state_color(entry.state)));
        ImGui::Dummy({14, h});
        ImGui::SameLine(0, 4);
        ImGui::TextDisabled("%s", entry.label);
    }
    if (gil) {
        ImGui::SameLine();
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddRectFilled({p.x, p.y + 2}, {p.x + 12, p.y + 5}, ImGui::ColorConvertFloat4ToU32(kGilColor));
        ImGui::Dummy({14, h});
        ImGui::SameLine(0, 4);
        ImGui::TextDisabled("holds GIL");
    }
}

// The slice of `slices` (in time order) that covers run time t, or nullptr.
const ev::Slice* slice_at(const std::vector<ev::Slice>& slices, double t, double origin, double now) {
    auto it = std::upper_bound(slices.begin(), slices.end(), t + origin,
                               [](double time, const ev::Slice& slice) { return time < slice.begin; });
    if (it == slices.begin()) return nullptr;
    const ev::Slice& slice = *std::prev(it);
    const double end = slice.end >= 0 ? slice.end - origin : now;
    return t <= end ? &slice : nullptr;
}

// "blocked on a lock: lock_a, held by Thread-2 (first_b_then_a)"
std::string describe_slice(const ev::Slice& slice, const ev::ThreadStates& states) {
    std::string text = ev::state_name(slice.state);
    if (!slice.object_name.empty()) text += ": " + slice.object_name;
    if (slice.holder) {
        const ev::Lane* holder = states.lane(slice.holder);
        text += ", held by " + (holder && !holder->name.empty() ? holder->name : "thread #" + std::to_string(slice.holder));
    }
    return text;
}

void legend() {
    const TaskStatus states[] = {TaskStatus::queued, TaskStatus::running, TaskStatus::done,
                                 TaskStatus::failed, TaskStatus::cancelled};
    for (TaskStatus state : states) {
        ImGui::SameLine();
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float h = ImGui::GetTextLineHeight();
        ImGui::GetWindowDrawList()->AddRectFilled({p.x, p.y + 3}, {p.x + 12, p.y + h - 2},
                                                  ImGui::ColorConvertFloat4ToU32(status_color(state)), 2);
        ImGui::Dummy({14, h});
        ImGui::SameLine(0, 4);
        ImGui::TextDisabled("%s", to_string(state));
    }
}

} // namespace

// [SECTION] draw_timeline ------------------------------------------------------------------------

void draw_timeline(const RunState::Snapshot& s, TimelineRenderer& renderer, const TimelineStates& states,
                   TimelineZoom& zoom) {
    Lane queue;
    queue.name = kQueueLane;
    std::vector<Lane> lanes = build_lanes(s.tasks, queue);
    const bool show_queue = !queue.tasks.empty();
    const int lane_count = static_cast<int>(lanes.size()) + (show_queue ? 1 : 0);

    ImGui::Text("%d thread%s", static_cast<int>(lanes.size()), lanes.size() == 1 ? "" : "s");
    legend();
    if (!s.tasks.empty()) {
        ImGui::SameLine();
        ImGui::BeginDisabled(zoom.fit);
        if (tab_stop(ImGui::SmallButton("Fit"))) zoom = {};
        ImGui::EndDisabled();
        if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
            ImGui::SetTooltip("Show the whole run. Over the lanes: the wheel zooms the time, a drag pans,\n"
                              "a double-click fits; the wheel over the thread names scrolls.");
    }
    const ev::ThreadStates* model = states.states;
    bool any_gil = false;
    if (model)
        for (const auto& lane : model->lanes()) any_gil |= !lane.gil.empty();
    static bool show_flows = false; // a reader's choice, kept across runs
    if (model) {
        states_legend(any_gil);
        ImGui::SameLine();
        tab_stop(ImGui::Checkbox("hand-offs", &show_flows));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Arrows from a release to the acquire it let through, from a set/notify (or a task or\n"
                              "thread ending) to the wait it ended, and from submit() to the task starting on its worker.");
        if (states.lost_events) {
            ImGui::SameLine();
            ImGui::TextDisabled("(some waits not shown: the run outpaced the recorder)");
        }
    }
    if (s.tasks.empty()) {
        ImGui::Spacing();
        ImGui::TextDisabled("Press Run: every thread the program starts gets a lane here.");
        return;
    }
    // A deadlock: its message above the lanes; its threads' bars outlined in red below.
    std::vector<int> deadlocked;
    for (const auto& deadlock : s.deadlocks) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette().error);
        ImGui::TextWrapped("%s (found at %.0f ms, and broken: its waits raised DeadlockError)", deadlock.message.c_str(),
                           deadlock.at * 1000);
        ImGui::PopStyleColor();
        deadlocked.insert(deadlocked.end(), deadlock.task_ids.begin(), deadlock.task_ids.end());
    }

    ImVec2 avail = ImGui::GetContentRegionAvail();
    const float label_width = std::clamp(avail.x * 0.22f, 120.0f, 230.0f);
    const double t_end = timeline_end(s);
    if (!zoom.fit && zoom.t1 > t_end) pan_view(zoom, 0, t_end); // a finished run's end came in
    const double view0 = zoom.fit ? 0 : zoom.t0, view1 = zoom.fit ? t_end : zoom.t1;

    // Many lanes, or a zoomed view: the whole run in a strip above them.
    const bool overview = lane_count > 12 || !zoom.fit;
    const float overview_h = 26;
    const ImVec2 origin0 = ImGui::GetCursorScreenPos();
    const float plot_x0 = origin0.x + label_width;
    if (overview) {
        const float right = origin0.x + avail.x - ImGui::GetStyle().ScrollbarSize - 8;
        ImGui::GetWindowDrawList()->AddText({origin0.x + 4, origin0.y + 6}, palette().axis_label, "whole run");
        draw_overview(s, zoom, t_end, plot_x0, right, overview_h);
        ImGui::SetCursorScreenPos({origin0.x, origin0.y + overview_h + 4});
        avail.y -= overview_h + 4;
    }
    const float lanes_height = avail.y - kAxisHeight;
    const float lane_h = std::clamp(std::floor(lanes_height / std::max(1, lane_count)), kMinLaneHeight, kMaxLaneHeight);

    // Axis, outside the scrolling lanes so it stays in view.
    ImDrawList* list = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float scrollbar = lane_count * lane_h > lanes_height ? ImGui::GetStyle().ScrollbarSize : 0;
    Geometry g{plot_x0, origin.x + avail.x - scrollbar - 8, view0, view1};
    const double step = tick_step(view1 - view0, g.plot_x1 - g.plot_x0);
    const double first_tick = std::ceil(view0 / step - 1e-9) * step;
    list->PushClipRect({g.plot_x0 - 1, origin.y}, {origin.x + avail.x, origin.y + kAxisHeight}, true);
    for (double t = first_tick; t <= view1 + 1e-9; t += step) {
        const float x = g.x(t);
        list->AddLine({x, origin.y + kAxisHeight - 6}, {x, origin.y + kAxisHeight}, palette().axis);
        list->AddText({x + 3, origin.y + 2}, palette().axis, tick_label(t, step).c_str());
    }
    list->PopClipRect();
    list->AddText({origin.x + 4, origin.y + 2}, palette().axis_label, "thread");
    ImGui::Dummy({avail.x, kAxisHeight});

    ImGui::BeginChild("lanes", {0, 0}, false, ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoScrollWithMouse);
    list = ImGui::GetWindowDrawList();
    const ImVec2 top = ImGui::GetCursorScreenPos();
    const float scroll = ImGui::GetScrollY();
    const float view_h = ImGui::GetWindowHeight();
    const int first = std::max(0, static_cast<int>(scroll / lane_h) - 1);
    const int last = std::min(lane_count, static_cast<int>((scroll + view_h) / lane_h) + 2);
    const float right = g.plot_x1 + 8;
    const float gap = lane_h >= 10 ? 2.0f : (lane_h >= 6 ? 1.0f : 0.0f);

    auto lane_at = [&](int index) -> const Lane& {
        if (show_queue) return index == 0 ? queue : lanes[index - 1];
        return lanes[index];
    };

    // Lane backgrounds and grid first, then the bars (GPU), then the labels on top.
    for (int i = first; i < last; ++i) {
        const float y = top.y + i * lane_h;
        list->AddRectFilled({top.x, y}, {right, y + lane_h},
                            ImGui::ColorConvertFloat4ToU32(i % 2 ? palette().lane_odd : palette().lane_even));
    }
    // What lies in the plot is clipped to it (a zoomed bar must not cover the lane names).
    const float child_top = ImGui::GetWindowPos().y;
    list->PushClipRect({g.plot_x0, child_top}, {right, child_top + view_h}, true);
    for (double t = first_tick; t <= view1 + 1e-9; t += step)
        list->AddLine({g.x(t), top.y + first * lane_h}, {g.x(t), top.y + last * lane_h}, palette().grid);

    for (int i = first; i < last; ++i) {
        const Lane& lane = lane_at(i);
        const float y0 = top.y + i * lane_h + gap, y1 = top.y + (i + 1) * lane_h - gap;
        if (show_queue && i == 0) {
            double oldest = s.now;
            for (const TaskRecord* task : lane.tasks) oldest = std::min(oldest, task->queued_at);
            add_bar(renderer, list, g.x(oldest), y0, g.x(s.now), y1, status_color(TaskStatus::queued), BarStyle::queued);
            continue;
        }
        for (const TaskRecord* task : lane.tasks)
            add_task_bars(renderer, list, g, *task, s.now, y0, y1, lane.tasks.size() == 1);
    }
    renderer.submit(list);
    const ImU32 red = ImGui::ColorConvertFloat4ToU32(palette().error);
    for (int i = first; i < last && !deadlocked.empty(); ++i) {
        const float y0 = top.y + i * lane_h + gap, y1 = top.y + (i + 1) * lane_h - gap;
        for (const TaskRecord* task : lane_at(i).tasks)
            if (task->start >= 0 && std::count(deadlocked.begin(), deadlocked.end(), task->id))
                list->AddRect({g.x(task->start) - 1, y0 - 1}, {g.x(task->end >= 0 ? task->end : s.now) + 1, y1 + 1}, red,
                              2.0f, 0, 2.0f);
    }
    // Thread states from the event stream: a band along the bottom of each lane while it waits, a
    // strip along the top while it holds the GIL. Slices narrower than a pixel share one.
    std::unordered_map<std::uint32_t, int> row_of; // thread serial -> lane index (for hand-offs)
    for (int i = 0; i < lane_count && model; ++i)
        if (const Lane& lane = lane_at(i); lane.serial) row_of[lane.serial] = i;
    for (int i = first; i < last && model; ++i) {
        const Lane& lane = lane_at(i);
        const ev::Lane* thread = lane.serial ? model->lane(lane.serial) : nullptr;
        if (!thread) continue;
        const float y0 = top.y + i * lane_h + gap, y1 = top.y + (i + 1) * lane_h - gap;
        const float band = std::max(2.0f, (y1 - y0) * 0.45f);
        // Each slice from its begin to its end (still open: now), at least a pixel wide.
        auto draw_slices = [&](const std::vector<ev::Slice>& slices, float top_y, float bottom_y, bool gil) {
            float drawn_to = -1e9f;
            for (const ev::Slice& slice : slices) {
                if (!gil && slice.state == ev::State::running) continue;
                const float x0 = g.x(slice.begin - states.origin);
                const float x1 = std::max(g.x(slice.end >= 0 ? slice.end - states.origin : s.now), x0 + 1);
                if (x1 <= drawn_to) continue;
                list->AddRectFilled({std::max(x0, drawn_to), top_y}, {x1, bottom_y},
                                    ImGui::ColorConvertFloat4ToU32(gil ? kGilColor : state_color(slice.state)));
                drawn_to = x1;
            }
        };
        draw_slices(thread->slices, y1 - band, y1, false);
        draw_slices(thread->gil, y0, y0 + 3, true);
    }
    if (model && show_flows) {
        const ImU32 arrow = ImGui::ColorConvertFloat4ToU32(palette().accent);
        int drawn = 0;
        for (const ev::Flow& flow : model->flows()) {
            auto from = row_of.find(flow.from_thread), to = row_of.find(flow.to_thread);
            if (from == row_of.end() || to == row_of.end() || from->second == to->second) continue;
            if (std::max(from->second, to->second) < first || std::min(from->second, to->second) >= last) continue;
            const ImVec2 a{g.x(flow.from_time - states.origin), top.y + (from->second + 0.5f) * lane_h};
            const ImVec2 b{g.x(flow.to_time - states.origin), top.y + (to->second + 0.5f) * lane_h};
            list->AddLine(a, b, arrow, 1.2f);
            const float dir = b.y > a.y ? 1.0f : -1.0f; // arrowhead pointing along the lane change
            list->AddTriangleFilled(b, {b.x - 3, b.y - 5 * dir}, {b.x + 3, b.y - 5 * dir}, arrow);
            if (++drawn >= 2000) break; // beyond that the arrows are a smear
        }
    }
    // What each of a program's threads printed last, inside its bar: local-data's per-thread x.
    for (int i = first; i < last && lane_h >= 14; ++i) {
        const float y0 = top.y + i * lane_h + gap, y1 = top.y + (i + 1) * lane_h - gap;
        for (const TaskRecord* task : lane_at(i).tasks) {
            if (task->last_line.empty() || task->start < 0) continue;
            const float x0 = g.x(task->start) + 4, x1 = g.x(task->end >= 0 ? task->end : s.now) - 2;
            if (x1 - x0 < 24) continue;
            list->PushClipRect({x0, y0}, {x1, y1}, true);
            list->AddText({x0, (y0 + y1 - ImGui::GetTextLineHeight()) * 0.5f}, IM_COL32(12, 16, 22, 255) /* dark on every status colour, either theme */, task->last_line.c_str());
            list->PopClipRect();
        }
    }
    for (const auto& deadlock : s.deadlocks)
        list->AddLine({g.x(deadlock.at), top.y + first * lane_h}, {g.x(deadlock.at), top.y + last * lane_h}, red, 1.5f);

    const bool live = s.phase == RunPhase::running || s.phase == RunPhase::cancelling;
    if (live) {
        const float x = g.x(s.now);
        list->AddLine({x, top.y + first * lane_h}, {x, top.y + last * lane_h}, palette().now_line, 1.5f);
    }
    list->PopClipRect();
    if (lane_h >= 11) {
        for (int i = first; i < last; ++i) {
            const Lane& lane = lane_at(i);
            const float y = top.y + i * lane_h + (lane_h - ImGui::GetTextLineHeight()) * 0.5f;
            std::string text(lane.name);
            if (show_queue && i == 0) text = std::to_string(lane.tasks.size()) + " " + kQueueLane;
            list->PushClipRect({top.x, top.y + scroll - 1}, {g.plot_x0 - 6, top.y + scroll + view_h}, true);
            list->AddText({top.x + 6, y}, show_queue && i == 0 ? palette().queue_label : palette().lane_label,
                          text.c_str());
            list->PopClipRect();
        }
    } else {
        list->AddText({top.x + 6, top.y + scroll + 4}, palette().axis,
                      (std::to_string(lane_count) + " lanes (hover for names)").c_str());
    }
    ImGui::Dummy({avail.x - 20, lane_count * lane_h});

    // The wheel over the plot zooms the time around the mouse, over the names it scrolls the lanes;
    // a drag pans both; a double-click fits the whole run again.
    ImGuiIO& io = ImGui::GetIO();
    const ImVec2 mouse = ImGui::GetMousePos();
    const bool over_plot = ImGui::IsWindowHovered() && mouse.x >= g.plot_x0 && mouse.x <= g.plot_x1;
    if (ImGui::IsWindowHovered() && io.MouseWheel != 0) {
        if (over_plot) {
            if (zoom.fit) zoom = {false, 0, t_end};
            zoom_view(zoom, g.t(mouse.x), std::pow(1.25, -io.MouseWheel), t_end);
        } else {
            ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseWheel * 3 * lane_h);
        }
    }
    if (over_plot && ImGui::IsMouseDoubleClicked(0)) zoom = {};
    else if (over_plot && ImGui::IsMouseClicked(0)) zoom.panning = true;
    if (zoom.panning && !ImGui::IsMouseDown(0)) zoom.panning = false;
    if (zoom.panning && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
        if (!zoom.fit) pan_view(zoom, -io.MouseDelta.x / (g.plot_x1 - g.plot_x0) * (view1 - view0), t_end);
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
    }

    // Tooltip for the lane / bar under the mouse.
    if (ImGui::IsWindowHovered() && mouse.y >= top.y) {
        const int index = static_cast<int>((mouse.y - top.y) / lane_h);
        if (index >= 0 && index < lane_count) {
            const Lane& lane = lane_at(index);
            const double t = g.t(mouse.x);
            const double slack = g.t(g.plot_x0 + 3) - g.t(g.plot_x0);
            const TaskRecord* hit = nullptr;
            for (const TaskRecord* task : lane.tasks) {
                const double begin = task->queued_at;
                const double end = task->end >= 0 ? task->end : s.now;
                if (t >= begin - slack && t <= end + slack) hit = task;
            }
            const ev::Lane* thread = model && lane.serial ? model->lane(lane.serial) : nullptr;
            const ev::Slice* slice = thread ? slice_at(thread->slices, t, states.origin, s.now) : nullptr;
            if (hit && mouse.x >= g.plot_x0) {
                task_tooltip(*hit, s.now);
                if (slice) { // what the thread was doing at that moment
                    ImGui::BeginTooltip();
                    ImGui::TextColored(slice->state == ev::State::running ? palette().good : state_color(slice->state),
                                       "at %.1f ms: %s", t * 1000, describe_slice(*slice, *model).c_str());
                    ImGui::EndTooltip();
                }
            }
            else if (mouse.x < g.plot_x0)
                ImGui::SetTooltip("%.*s: %d task%s", static_cast<int>(lane.name.size()), lane.name.data(),
                                  static_cast<int>(lane.tasks.size()), lane.tasks.size() == 1 ? "" : "s");
        }
    }
    ImGui::EndChild();
}

} // namespace playground
