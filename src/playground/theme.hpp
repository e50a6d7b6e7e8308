// playground/theme.hpp - the playground's look: ImGui style, the palette of its own drawing, and
// the colour of each task state. Two themes, dark (the default) and light (theme=light).
#pragma once

#include <imgui.h>

#include "run_state.hpp"

namespace playground {

enum class Theme { dark, light };

// Sets ImGui's style and the palette below for `theme`.
void apply_theme(Theme theme = Theme::dark);
Theme current_theme();

// Timeline / chip colour of a task state (queued, running, done, failed, cancelled): the same in
// both themes, so a state reads the same everywhere.
ImVec4 status_color(TaskStatus status);

// Colours the playground draws with itself, beyond ImGui's style.
struct Palette {
    ImVec4 accent, text_dim, error, good;
    ImVec4 lane_even, lane_odd;      // timeline lanes
    ImU32 axis, axis_label, grid;    // timeline axis ticks and labels, second grid lines
    ImU32 lane_label, queue_label;   // thread names, the queue's lane
    ImU32 now_line;                  // the moving "now" line of a live run
    ImVec4 clear;                    // behind every window
};
const Palette& palette();

} // namespace playground
