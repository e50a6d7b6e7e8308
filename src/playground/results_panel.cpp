#include <algorithm>
#include <imgui.h>

#include "panels.hpp"
#include "theme.hpp"

namespace playground {

void draw_results_panel(const RunState::Snapshot& s, const ThumbnailCache& thumbnails) {
    if (s.tasks.empty()) {
        ImGui::TextDisabled("No run yet.");
        return;
    }
    int counts[5] = {};
    double task_seconds = 0;
    for (const auto& task : s.tasks) {
        counts[static_cast<int>(task.status)]++;
        if (task.start >= 0) task_seconds += (task.end >= 0 ? task.end : s.now) - task.start;
    }
    const double wall = s.wall >= 0 ? s.wall : s.now;
    const bool live = s.phase == RunPhase::running || s.phase == RunPhase::cancelling;

    ImGui::Text("%s", live ? (s.phase == RunPhase::cancelling ? "Cancelling..." : "Running...") :
                      (s.phase == RunPhase::cancelled ? "Cancelled" : "Finished"));
    ImGui::SameLine();
    ImGui::TextDisabled("%d/%d tasks ended", counts[2] + counts[3] + counts[4], static_cast<int>(s.tasks.size()));
    ImGui::ProgressBar(s.tasks.empty() ? 0.f : float(counts[2] + counts[3] + counts[4]) / s.tasks.size(), {-1, 4}, "");

    if (ImGui::BeginTable("times", 2, ImGuiTableFlags_SizingStretchProp)) {
        auto row = [](const char* name, const char* format, double value, ImVec4 color) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", name);
            ImGui::TableNextColumn();
            ImGui::TextColored(color, format, value);
        };
        const ImVec4 text = ImGui::GetStyleColorVec4(ImGuiCol_Text);
        row("wall time", "%.3f s", wall, text);
        row("sum of task times", "%.3f s", task_seconds, text);
        if (wall > 0.001) row("speed-up", "%.1fx", task_seconds / wall, task_seconds / wall > 1.5 ? palette().good : text);
        ImGui::EndTable();
    }
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
}

} // namespace playground
