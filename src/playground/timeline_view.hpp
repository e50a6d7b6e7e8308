// playground/timeline_view.hpp - one lane per thread, one bar per task, drawn live.
//
// Lanes are named as Python names the threads ("Thread-3 (do_something)",
// "ThreadPoolExecutor-0_2", "MainThread"). Tasks a pool has not handed to a worker yet wait in
// a lane of their own at the top. Bars grow while their task runs; the colour says its state.
// Hovering a bar shows the task's details and what its thread was doing at that moment.
#pragma once

#include <threadlab/thread_states.hpp>

#include "run_state.hpp"
#include "timeline_renderer.hpp"

namespace playground {

// What the library's event stream says each thread did (threadlab/thread_states.hpp): drawn as
// a band along the bottom of each lane (sleeping, IO, blocked on a lock, waiting on ...), a strip
// along its top while it holds the GIL, and, when shown, hand-off arrows between lanes.
struct TimelineStates {
    const threadlab::events::ThreadStates* states = nullptr;
    double origin = 0;         // perf_counter() at the run's start: event times minus this are run times
    bool lost_events = false;  // the run outpaced the recorder: some states are missing
};

// How the reader zoomed and panned the time axis (the app keeps it, and resets it for a new run).
struct TimelineZoom {
    bool fit = true;        // the whole run (and, while it runs, following it)
    double t0 = 0, t1 = 1;  // else the seconds shown
    bool panning = false;   // a drag that began on the plot is moving the view
};

// Draws into the current ImGui window, filling the space left in it. The wheel zooms the time,
// a drag pans, a double-click (or Fit) shows the whole run; an overview strip shows all lanes.
void draw_timeline(const RunState::Snapshot& snapshot, TimelineRenderer& renderer, const TimelineStates& states,
                   TimelineZoom& zoom);

} // namespace playground
