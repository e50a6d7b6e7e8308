#include <algorithm>
#include <imgui.h>

#include "keyboard.hpp"
#include "panels.hpp"
#include "theme.hpp"

namespace playground {
namespace {

// "one after another" and "speed-up": the same tasks run one after another, against this run.
void draw_speed_up(const RunState::Snapshot& s, const Scenario& scenario, bool live) {
    const SpeedUp speed = speed_up(s, scenario);
    ImGui::TextDisabled("one after another");
    ImGui::SameLine();
    ImGui::PushTextWrapPos(0);
    if (speed.sequential < 0) {
        // One line: the downloaded images below it should stay in view.
        ImGui::TextDisabled("not known (hover)");
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s\nRun the same tasks with mode \"sequential\" to compare.",
                              scenario.kind == TaskKind::fetch ? "Downloads: it depends on the network."
                                                               : "The work is counted, not timed.");
    } else {
        ImGui::Text("%.2f s", speed.sequential);
        ImGui::SameLine();
        ImGui::TextDisabled("(%d x %g s%s)", scenario.count, scenario.seconds,
                            scenario.kind == TaskKind::cpu ? " of work on one core" : "");
        if (const double factor = speed.factor(); factor > 0) {
            ImGui::TextColored(factor > 1.5 ? palette().good : ImGui::GetStyleColorVec4(ImGuiCol_Text),
                               "%.2f s one after another -> %.2f s here: %.1fx %s", speed.sequential,
                               speed.wall, factor,
                               factor >= 1.1   ? "faster"
                               : factor > 0.9 ? "(no gain)"
                                              : "(slower: is the machine busy?)");
            if (const std::string lesson = gil_lesson(s, scenario); !lesson.empty()) ImGui::TextWrapped("%s", lesson.c_str());
        } else if (!live) {
            ImGui::TextDisabled("No speed-up: %s.", s.phase == RunPhase::cancelled ? "the run was cancelled"
                                                                                    : "not every task finished");
        }
    }
    ImGui::PopTextWrapPos();
}

// Many real threads waiting for their Web Workers: why it is slow, how long is left, and the way out.
bool draw_slow_starts(const SlowThreadStarts& starts) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().accent);
    ImGui::TextWrapped("%d threads are still to start. Each real thread in a browser is a Web Worker, and the "
                       "browser makes Workers one at a time, tens of ms each (Firefox runs at most 512 at once).",
                       starts.to_start);
    ImGui::PopStyleColor();
    if (starts.seconds_left >= 0)
        ImGui::TextWrapped("Starting %.0f a second: about %.0f s to go.", starts.per_second, starts.seconds_left);
    ImGui::TextWrapped("Simulated threads start them all at once, on one core:");
    const bool open = tab_stop(ImGui::SmallButton("Open with simulated threads"));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("This scenario in a new tab, with backend=sim: fibers on the page's own thread.");
    return open;
}

} // namespace

ResultsAction draw_results_panel(const RunState::Snapshot& s, const Scenario* scenario, const ThumbnailCache& thumbnails,
                                 bool threads_are_workers) {
    ResultsAction action = ResultsAction::none;
    if (s.tasks.empty()) {
        ImGui::TextDisabled("No run yet.");
        return action;
    }
    int counts[5] = {};
    for (const auto& task : s.tasks) counts[static_cast<int>(task.status)]++;
    const double wall = s.wall >= 0 ? s.wall : s.now;
    const bool live = s.phase == RunPhase::running || s.phase == RunPhase::cancelling;

    ImGui::Text("%s", live ? (s.phase == RunPhase::cancelling ? "Cancelling..." : "Running...") :
                      (s.phase == RunPhase::cancelled ? "Cancelled" : "Finished"));
    ImGui::SameLine();
    // A program run as written has no tasks: each of its threads is one bar (example_programs_run.cpp).
    const bool program = scenario && !scenario->program.empty();
    ImGui::TextDisabled("%d/%d %s ended", counts[2] + counts[3] + counts[4], static_cast<int>(s.tasks.size()),
                        program ? "threads" : "tasks");
    ImGui::ProgressBar(s.tasks.empty() ? 0.f : float(counts[2] + counts[3] + counts[4]) / s.tasks.size(), {-1, 4}, "");
    // Right under the progress, where its button stays put while the lines below change.
    if (threads_are_workers && scenario)
        if (const auto starts = slow_thread_starts(s, *scenario); starts && draw_slow_starts(*starts))
            action = ResultsAction::open_simulated;

    ImGui::TextDisabled("wall time");
    ImGui::SameLine();
    ImGui::Text("%.3f s", wall);
    if (!live) {
        ImGui::SameLine();
        if (tab_stop(ImGui::SmallButton("Download trace"))) action = ResultsAction::download_trace;
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("This run as a Chrome trace (JSON): every thread's states and hand-offs.\n"
                              "Open it in https://ui.perfetto.dev or chrome://tracing.");
    }
    if (scenario)
        if (const std::optional<Scenario> tasks = measured_tasks(*scenario)) draw_speed_up(s, *tasks, live);
    for (int i = 0; i < 5; ++i) {
        if (!counts[i]) continue;
        ImGui::TextColored(status_color(static_cast<TaskStatus>(i)), "%d %s", counts[i],
                           to_string(static_cast<TaskStatus>(i)));
        ImGui::SameLine();
    }
    ImGui::NewLine();

    ImGui::Spacing();
    ImGui::TextColored(palette().text_dim, "Completion order");
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    const int shown = std::min<int>(static_cast<int>(s.completion_order.size()), 60);
    for (int i = 0; i < shown; ++i) {
        const TaskRecord& task = s.tasks[s.completion_order[i] - 1];
        char chip[16];
        std::snprintf(chip, sizeof chip, "%d", task.id);
        ImGui::PushStyleColor(ImGuiCol_Button, status_color(task.status));
        ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, {4, 1});
        ImGui::SmallButton(chip);
        ImGui::PopStyleVar();
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("#%d %s\n%s\n%s", task.id, task.label.c_str(), task.thread.c_str(),
                              task.error.empty() ? to_string(task.status) : task.error.c_str());
        const float next = ImGui::GetItemRectMax().x + 4 + ImGui::CalcTextSize("1000").x + 8;
        if (i + 1 < shown && next < right) ImGui::SameLine(0, 4);
    }
    if (static_cast<int>(s.completion_order.size()) > shown)
        ImGui::TextDisabled("... and %d more", static_cast<int>(s.completion_order.size()) - shown);

    if (!thumbnails.textures().empty()) {
        ImGui::Spacing();
        ImGui::TextColored(palette().text_dim, "Downloaded images (%d)", static_cast<int>(thumbnails.textures().size()));
        const float side = 44;
        for (const auto& [id, texture] : thumbnails.textures()) {
            const float aspect = static_cast<float>(texture.width) / std::max(1, texture.height);
            const ImVec2 size = aspect >= 1 ? ImVec2{side, side / aspect} : ImVec2{side * aspect, side};
            ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture.id)), size);
            if (ImGui::IsItemHovered() && id >= 1 && id <= static_cast<int>(s.tasks.size()))
                ImGui::SetTooltip("#%d %s\n%s", id, s.tasks[id - 1].label.c_str(), s.tasks[id - 1].thread.c_str());
            if (ImGui::GetItemRectMax().x + 4 + side < right) ImGui::SameLine(0, 4);
        }
        ImGui::NewLine();
    }
    return action;
}

} // namespace playground
