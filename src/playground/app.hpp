// playground/app.hpp - the playground, independent of the platform it runs on.
//
// main_desktop.cpp (GLFW + OpenGL 3.3) and main_web.cpp (GLFW on a canvas + WebGL2) create the
// window, the GL context and ImGui's platform/renderer backends; App does everything else: it
// builds the UI each frame, starts and cancels runs, and produces the reports. None of its
// functions block: runs happen on the runner thread (runner.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>
#include <threadlab/thread_states.hpp>

#include "code_listing.hpp"
#include "panels.hpp"
#include "run_state.hpp"
#include "runner.hpp"
#include "scenario.hpp"
#include "thumbnail_cache.hpp"
#include "timeline_renderer.hpp"
#include "timeline_view.hpp"

namespace playground {

class App {
public:
    // After the GL context and ImGui exist. A shader failure is reported, not fatal (the timeline
    // falls back to ImGui rectangles).
    void init(bool echo_console_to_stdout);
    void shutdown();
    // Builds this frame's UI: call between ImGui::NewFrame() and ImGui::Render().
    void frame();

    // The page API (window.threadlab) and the desktop flags use these.
    // Starts a run; returns "" or the reason it could not start (invalid value, run in progress).
    std::string run(const Scenario& scenario);
    std::string run_query(std::string_view query);
    // Puts a scenario from a query into the panel without running it. Returns "" or the error.
    std::string load_query(std::string_view query, bool& autorun);
    void cancel();
    // {"status": "idle|running|cancelling|finished|cancelled", ...} for window.threadlab.state().
    std::string state_json() const;
    // The report of a run that just ended, handed out once (JSON), else nullopt.
    std::optional<std::string> take_finished_report();
    // The current (or last) run as a Chrome trace (Perfetto, chrome://tracing): thread names,
    // state slices, hand-offs. "" before the first run.
    std::string trace_json() const;
    bool busy() const { return runner_.busy() || exploration_.running; }
    // Downloaded images still to be decoded into thumbnails (a few per frame).
    bool decoding_thumbnails() const { return thumbnails_.decoding(); }
    // Step mode (simulated threads): the scenario panel's switch and the step the reader chose;
    // the web main performs the step between frames.
    StepControl& step_control() { return step_; }
    // Explore (simulated threads): runs the draft, a race, under seeds 1..schedules one after
    // another (at most kExploreIncrements per thread, so that it takes seconds) and counts the runs
    // that lose updates. Returns "" or why not. Cancel stops it.
    std::string explore(int schedules);
    // Between the runs of an exploration: counts the run that ended and starts the next. True when
    // it started one (the web main then gives the threads the rest of their slice).
    bool explore_next();
    const Exploration& exploration() const { return exploration_; }
    // The current run's program is creating threads (see RunState::starting_threads).
    bool starting_threads() const;
    void show_message(std::string message) { message_ = std::move(message); }
    // embed, panels, lang from the page's URL (load_query and run_query apply them too).
    void set_page_options(PageOptions options);
    const PageOptions& page_options() const { return page_; }
    // What "Open in Threadlab" does with the scenario's query (the web main opens a new tab).
    void set_open_full_page(std::function<void(const std::string& query)> open) { open_full_page_ = std::move(open); }
    // What "Download trace" does with the trace's JSON (default: writes threadlab-trace.json in
    // the working directory; the web main has the browser download it).
    void set_save_trace(std::function<void(const std::string& json)> save) { save_trace_ = std::move(save); }
    // Where Copy puts a program (default: ImGui's clipboard; the web main uses the browser's).
    void set_copy_text(std::function<void(const std::string& text)> copy) { copy_text_ = std::move(copy); }
    // Whether the reader prefers a light theme (theme=auto); the web main asks the browser.
    void set_prefers_light(std::function<bool()> prefers_light) { prefers_light_ = std::move(prefers_light); }
    // Whether the reader asks for less motion (prefers-reduced-motion): running bars keep their
    // stripes, which then stand still. The web main asks the browser; the desktop moves.
    void set_reduced_motion(std::function<bool()> reduced_motion) { reduced_motion_ = std::move(reduced_motion); }
    // theme=auto follows a change of the reader's preference: call when it may have changed.
    // True when the theme changed (the page must draw).
    bool refresh_theme();
    const std::string& message() const { return message_; }
    // The height the embed layout would like (px), from the draft's lanes and code lines, so that
    // an auto-height iframe fits its example; 0 outside embed mode. Set by each frame.
    int preferred_embed_height() const { return preferred_embed_height_; }

private:
    void refresh_snapshot();
    void layout_windows();
    void layout_narrow();
    void layout_embed();
    void draw_panel(std::string_view name);
    void begin_panel(std::string_view name, const char* title, ImVec2 pos, ImVec2 size);
    void record_panel(std::string_view name, ImVec2 pos, ImVec2 size);
    void act(ScenarioAction action);
    const CodeListing& listing_for_draft();
    TimelineStates timeline_states() const;

    Runner runner_;
    StepControl step_;
    Exploration exploration_;
    std::shared_ptr<RunState> explored_run_; // the exploration's run going on
    Scenario draft_;
    int preset_index_ = 0;
    PageOptions page_;
    std::function<void(const std::string&)> open_full_page_;
    std::function<bool()> prefers_light_;
    std::function<bool()> reduced_motion_;
    std::function<void(const std::string&)> copy_text_;
    void copy_program(const std::string* program);
    std::function<void(const std::string&)> save_trace_;
    void save_trace();
    std::string message_;
    float scenario_content_h_ = 360;
    // The full page's splits as the reader left them (0: not dragged yet).
    struct Splits {
        float side = 0;        // the left column's width, px
        float scenario = 0;    // the example panel's height, px
        float timeline = 0.52f; // the timeline's share of the height
        float console = 0.36f;  // the console's share of the width right of the left column
    } splits_;
    // Where this frame put each panel, for window.threadlab.state().layout (the e2e tests).
    struct PanelRect {
        std::string name;
        float x, y, w, h;
    };
    struct Layout {
        const char* mode = "wide"; // wide, narrow or embed
        std::vector<PanelRect> panels;
        std::vector<PanelRect> tabs; // the narrow layout's tabs
        CodePanelResult code;        // how the code panel fitted its listing
    } layout_;
    bool was_busy_ = false;
    int preferred_embed_height_ = 0;

    std::shared_ptr<RunState> shown_run_;
    RunState::Snapshot snapshot_;
    // What each thread of the shown run is doing, from the runner's recorder (UI thread only).
    threadlab::events::ThreadStates states_;
    std::uint64_t states_next_seq_ = 0;
    bool states_lost_events_ = false; // the run outpaced the recorder: some states are missing
    std::vector<threadlab::events::Event> event_buffer_;
    std::uint64_t snapshot_version_ = 0;
    bool report_pending_ = false;
    std::optional<std::string> finished_report_;
    std::vector<float> run_frame_intervals_ms_; // frames drawn while the run was in flight
    std::chrono::steady_clock::time_point last_frame_at_;
    FrameTimes run_frame_times_;

    ThumbnailCache thumbnails_;
    TimelineRenderer renderer_;
    TimelineZoom timeline_zoom_;
    std::string renderer_error_;
    CodeListing listing_;
    std::string listing_key_;
};

} // namespace playground
