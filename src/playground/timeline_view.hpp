// playground/timeline_view.hpp - one lane per thread, one bar per task, drawn live.
//
// Lanes are named as Python names the threads ("Thread-3 (do_something)",
// "ThreadPoolExecutor-0_2", "MainThread"). Tasks a pool has not handed to a worker yet wait in
// a lane of their own at the top. Bars grow while their task runs; the colour says its state.
// Hovering a bar shows the task's details.
#pragma once

#include "run_state.hpp"
#include "timeline_renderer.hpp"

namespace playground {

// Draws into the current ImGui window, filling the space left in it.
void draw_timeline(const RunState::Snapshot& snapshot, TimelineRenderer& renderer);

} // namespace playground
