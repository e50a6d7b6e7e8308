// playground/panels.hpp - the playground's panels, each drawn into the current ImGui window.
#pragma once

#include <optional>
#include <string>

#include "code_listing.hpp"
#include "run_state.hpp"
#include "scenario.hpp"
#include "thumbnail_cache.hpp"

namespace playground {

enum class ScenarioAction { none, run, cancel };

// Step mode, on simulated threads: the reader is the scheduler.
struct StepControl {
    bool on = false;
    std::optional<unsigned long> choice; // the step asked for: a thread's ident, or 0 for the seed's choice
};

// Presets, kind, count, duration / latency, mode, workers; Run and Cancel. Edits `draft`.
ScenarioAction draw_scenario_panel(Scenario& draft, int& preset_index, bool busy, const std::string& message);

// Explore (simulated threads): the draft, a race, run under seeds 1..schedules one after another;
// how many runs lost updates, and the seed of the one that lost most, to replay.
struct Exploration {
    Scenario scenario; // what every run runs, but for its seed
    int schedules = 0; // 0: none yet
    int done = 0;      // runs that ended
    int losing = 0;    // of those, the runs that lost updates
    long long worst_lost = 0;
    int worst_seed = 0;
    bool running = false;
};

inline constexpr int kExploreSchedules = 1000;  // the Explore button's
inline constexpr int kMaxSchedules = 10000;     // App::explore's bound
inline constexpr int kExploreIncrements = 1000; // per thread, at most: a schedule takes milliseconds

enum class SimAction { none, explore, replay_worst };

// On simulated threads (the sim backend): the step mode switch, and while a run is paused, a
// button per thread that can run next; for a race, Explore and its summary. Nothing elsewhere.
SimAction draw_sim_controls(StepControl& step, const Exploration& exploration, const Scenario& draft, bool busy);

// Wall time, the same tasks one after another and the speed-up (speed_up(): none for downloads),
// counts, completion order, thumbnails. `scenario` is the shown run's (nullptr: no run yet).
// Where threads are Web Workers (`threads_are_workers`: real threads in a browser), while many
// wait to start (slow_thread_starts), why, and a way to simulated threads.
enum class ResultsAction { none, download_trace, open_simulated };
ResultsAction draw_results_panel(const RunState::Snapshot& snapshot, const Scenario* scenario,
                                 const ThumbnailCache& thumbnails, bool threads_are_workers);

// What the program printed, line by line, following the end while it grows.
void draw_console_panel(const RunState::Snapshot& snapshot);

// The scenario's C++ beside the Python it mirrors (or one of them: lang=cpp|python), each with a
// Copy button; one tab per language when the panel is too narrow for 80 columns of each.
struct CodePanelResult {
    const std::string* copied = nullptr; // the program whose Copy was pressed
    int columns = 0;                     // characters a line shows without scrolling
    int longest_line = 0;                // characters in the longest line shown
    float scroll_max_x = 0;              // how far the code scrolls sideways (>0: a scrollbar)
    bool side_by_side = false;
};
CodePanelResult draw_code_panel(const CodeListing& listing, CodeLanguage lang = CodeLanguage::both);

// The embed's bar: Run and Cancel, the example's title, and a link to the full page.
struct EmbedBarAction {
    ScenarioAction action = ScenarioAction::none;
    bool open_full_page = false;
};
EmbedBarAction draw_embed_bar(const char* title, bool busy, const std::string& message);

} // namespace playground
