// playground/theme.hpp - the playground's look: ImGui style and the colour of each task state.
#pragma once

#include <imgui.h>

#include "run_state.hpp"

namespace playground {

void apply_theme();

// Timeline / chip colour of a task state (queued, running, done, failed, cancelled).
ImVec4 status_color(TaskStatus status);

namespace colors {
inline const ImVec4 accent{0.33f, 0.62f, 1.00f, 1.00f};
inline const ImVec4 text_dim{0.60f, 0.63f, 0.70f, 1.00f};
inline const ImVec4 error{1.00f, 0.42f, 0.42f, 1.00f};
inline const ImVec4 good{0.36f, 0.84f, 0.50f, 1.00f};
inline const ImVec4 lane_even{0.115f, 0.125f, 0.150f, 1.00f};
inline const ImVec4 lane_odd{0.135f, 0.145f, 0.175f, 1.00f};
} // namespace colors

} // namespace playground
