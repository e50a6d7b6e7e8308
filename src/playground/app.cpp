#include "app.hpp"

#include <threadlab/trace_export.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include <imgui_internal.h>
#include <nlohmann/json.hpp>
#include <threadlab/sim.hpp>
#include <threadlab/threadlab.hpp>

#include "keyboard.hpp"
#include "panels.hpp"
#include "preset_catalog.hpp"
#include "presets.hpp"
#include "print_routing.hpp"
#include "tasks/cpu_task.hpp"
#include "theme.hpp"
#include "timeline_view.hpp"

namespace playground {
namespace {
// Panels are laid out by the app, not by the reader: they do not move, resize or collapse.
constexpr ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;

// Narrower than this (a phone), the full page shows one panel at a time.
constexpr float kNarrowWidth = 700;
// Real threads in a browser: each is a Web Worker, slow to make (the Results panel says so).
#ifdef __EMSCRIPTEN__
constexpr bool kThreadsAreWorkers = !threadlab::detail::simulated;
#else
constexpr bool kThreadsAreWorkers = false;
#endif

// The preset a scenario equals, or -1 (the panel then says "Custom").
int matching_preset(const Scenario& scenario) {
    const std::string key = encode_query(to_fields(scenario));
    for (size_t i = 0; i < presets().size(); ++i)
        if (encode_query(to_fields(presets()[i].scenario)) == key) return static_cast<int>(i);
    return -1;
}
} // namespace

void App::init(bool echo_console_to_stdout) {
    install_print_routing(echo_console_to_stdout);
    ImGui::GetIO().ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard; // arrows, Space (keyboard.hpp: Tab, Enter)
    apply_theme();
    draft_ = presets().front().scenario;
    if (!renderer_.init(renderer_error_))
        std::fprintf(stderr, "timeline shaders unavailable, drawing with ImGui: %s\n", renderer_error_.c_str());
}

void App::shutdown() {
    runner_.cancel();
    thumbnails_.clear();
    renderer_.shutdown();
}

std::string App::run(const Scenario& scenario) {
    std::string error = runner_.start(scenario);
    if (!error.empty()) return error;
    exploration_.running = false; // a run asked for between an exploration's runs ends it
    explored_run_.reset();
    draft_ = scenario;
    message_.clear();
    thumbnails_.clear();
    report_pending_ = true;
    finished_report_.reset();
    run_frame_intervals_ms_.clear();
    run_frame_times_ = {};
    last_frame_at_ = std::chrono::steady_clock::now(); // the first interval counts from the Run, not the idle page's last frame
    refresh_snapshot();
    return {};
}

std::string App::run_query(std::string_view query) {
    ParsedScenario parsed = parse_scenario_query(query, {}, page_);
    if (parsed.scenario && parsed.any_page_key) set_page_options(parsed.page);
    if (!parsed.scenario) {
        message_ = parsed.error;
        return parsed.error;
    }
    std::string error = run(*parsed.scenario);
    if (error.empty()) preset_index_ = matching_preset(*parsed.scenario);
    if (!error.empty()) message_ = error;
    return error;
}

std::string App::load_query(std::string_view query, bool& autorun) {
    ParsedScenario parsed = parse_scenario_query(query, {}, page_);
    autorun = parsed.autorun;
    if (parsed.scenario && parsed.any_page_key) set_page_options(parsed.page);
    if (!parsed.scenario) {
        message_ = parsed.error;
        return parsed.error;
    }
    if (parsed.any_scenario_key) {
        draft_ = *parsed.scenario;
        preset_index_ = matching_preset(draft_);
    }
    return {};
}

void App::cancel() {
    step_.on = false; // a paused run's threads must run to see the cancel
    runner_.cancel();
}

std::string App::explore(int schedules) {
    auto fail = [this](std::string why) { return message_ = std::move(why); };
    if (!threadlab::detail::simulated) return fail("Explore needs simulated threads: open the page with backend=sim.");
    if (runner_.busy()) return fail("A run is still in progress: wait for it to finish or cancel it first.");
    if (draft_.kind != TaskKind::increment || !draft_.program.empty())
        return fail("Explore runs a race: choose the race or race-fixed preset (kind increment).");
    if (schedules < 1 || schedules > kMaxSchedules)
        return fail("schedules must be 1.." + std::to_string(kMaxSchedules) + ", got " + std::to_string(schedules));
    draft_.increments = std::min(draft_.increments, kExploreIncrements);
    draft_.seed = 0;
    exploration_ = {.scenario = draft_, .schedules = schedules, .running = true};
    message_.clear();
    explore_next();
    return {};
}

bool App::explore_next() {
    Exploration& e = exploration_;
    if (!e.running || runner_.busy()) return false;
    if (explored_run_) {
        const auto run = std::exchange(explored_run_, nullptr);
        if (run->phase() == RunPhase::cancelled || run->lost_updates < 0) {
            e.running = false; // cancelled
            return false;
        }
        ++e.done;
        if (run->lost_updates > 0) ++e.losing;
        if (run->lost_updates > e.worst_lost) {
            e.worst_lost = run->lost_updates;
            e.worst_seed = run->scenario().seed;
        }
    }
    if (e.done == e.schedules) {
        e.running = false;
        return false;
    }
    Scenario next = e.scenario;
    next.seed = e.done + 1;
    if (std::string error = runner_.start(next); !error.empty()) {
        e.running = false;
        message_ = error;
        return false;
    }
    explored_run_ = runner_.current();
    report_pending_ = false; // one report for a run the reader asked for, none for each of these
    finished_report_.reset();
    return true;
}

bool App::starting_threads() const {
    const auto& run = runner_.current();
    return run && run->starting_threads.load() && runner_.busy();
}

std::optional<std::string> App::take_finished_report() { return std::exchange(finished_report_, std::nullopt); }

std::string App::state_json() const {
    // The run's own phase (the snapshot may be a frame old).
    int ended = 0;
    for (const auto& task : snapshot_.tasks) ended += task.end >= 0;
    nlohmann::json state = {{"status", shown_run_ ? to_string(shown_run_->phase()) : "idle"},
                            {"busy", runner_.busy()},
                            {"tasks", snapshot_.tasks.size()},
                            {"ended", ended},
                            {"elapsed_ms", static_cast<long long>(snapshot_.now * 1000)},
                            {"scenario", encode_query(to_fields(draft_))}};
    if (!message_.empty()) state["message"] = message_;
    if (kThreadsAreWorkers && shown_run_)
        if (const auto starts = slow_thread_starts(snapshot_, shown_run_->scenario()))
            state["slow_thread_starts"] = {{"waiting", starts->waiting}, {"to_start", starts->to_start},
                                           {"per_second", starts->per_second},
                                           {"seconds_left", starts->seconds_left}};
#ifdef THREADLAB_SIM
    nlohmann::json runnable = nlohmann::json::array(); // step mode's choice
    for (const auto& choice : threadlab::sim::runnable_threads())
        runnable.push_back({{"ident", choice.ident}, {"name", choice.name}});
    state["stepping"] = step_.on;
    state["runnable"] = std::move(runnable);
    state["switches"] = threadlab::sim::switches(); // grows with every step
    if (exploration_.schedules > 0)
        state["explore"] = {{"running", exploration_.running},     {"schedules", exploration_.schedules},
                            {"done", exploration_.done},           {"losing", exploration_.losing},
                            {"worst_seed", exploration_.worst_seed}, {"worst_lost", exploration_.worst_lost},
                            {"scenario", encode_query(to_fields(exploration_.scenario))}};
#endif
    nlohmann::json panels = nlohmann::json::array();
    nlohmann::json tabs = nlohmann::json::array();
    for (const auto& [list, rects] : {std::pair{&panels, &layout_.panels}, std::pair{&tabs, &layout_.tabs}})
        for (const auto& p : *rects) list->push_back({{"name", p.name}, {"x", p.x}, {"y", p.y}, {"w", p.w}, {"h", p.h}});
    state["layout"] = {{"mode", layout_.mode},
                       {"panels", panels},
                       {"tabs", tabs},
                       {"code_columns", layout_.code.columns},
                       {"code_longest_line", layout_.code.longest_line},
                       {"code_scroll_max_x", layout_.code.scroll_max_x},
                       {"code_side_by_side", layout_.code.side_by_side},
                       {"timeline_view", timeline_zoom_.fit ? nlohmann::json("fit")
                                                            : nlohmann::json::array({timeline_zoom_.t0, timeline_zoom_.t1})}};
    if (shown_run_ && (snapshot_.phase == RunPhase::finished || snapshot_.phase == RunPhase::cancelled))
        state["report"] = report_value(snapshot_, shown_run_->scenario(), &run_frame_times_);
    return json_text(state);
}

void App::refresh_snapshot() {
    runner_.update();
    const auto& current = runner_.current();
    if (current != shown_run_) {
        shown_run_ = current;
        snapshot_ = {};
        snapshot_version_ = 0;
        states_.clear();
        states_next_seq_ = 0;
        states_lost_events_ = false;
        timeline_zoom_ = {};
    }
    if (!shown_run_) return;
    if (const auto& recorder = runner_.recorder()) {
        event_buffer_.clear();
        const std::uint64_t next = recorder->read(states_next_seq_, event_buffer_);
        if (!event_buffer_.empty() && event_buffer_.front().seq != states_next_seq_) states_lost_events_ = true;
        states_.apply(event_buffer_);
        states_next_seq_ = next;
    }
    if (shown_run_->snapshot_if_changed(snapshot_version_, snapshot_)) snapshot_version_ = snapshot_.version;
    thumbnails_.add(shown_run_->take_new_images());
    thumbnails_.decode_some(0.004); // a few ms a frame: a 96 px thumbnail of a photo takes 1-10 ms
    const bool over = snapshot_.phase == RunPhase::finished || snapshot_.phase == RunPhase::cancelled;
    if (over && report_pending_) {
        report_pending_ = false;
        run_frame_times_ = summarize_frame_intervals(std::move(run_frame_intervals_ms_));
        run_frame_intervals_ms_.clear();
        finished_report_ = report_json(snapshot_, shown_run_->scenario(), &run_frame_times_);
    }
}

TimelineStates App::timeline_states() const {
    if (!shown_run_) return {};
    return {&states_, shown_run_->started_at(), states_lost_events_};
}

void App::save_trace() {
    const std::string json = trace_json();
    if (save_trace_) {
        save_trace_(json);
        return;
    }
    std::FILE* file = std::fopen("threadlab-trace.json", "wb");
    bool ok = file && std::fwrite(json.data(), 1, json.size(), file) == json.size();
    if (file) ok = std::fclose(file) == 0 && ok;
    message_ = ok ? "Trace written to threadlab-trace.json: open it in https://ui.perfetto.dev or chrome://tracing."
                  : "Could not write threadlab-trace.json in the working directory.";
}

std::string App::trace_json() const {
    if (!shown_run_) return {};
    // Lanes the events never named (threads named before the run) take the name their tasks show.
    return threadlab::events::chrome_trace_json(states_, [this](std::uint32_t serial) {
        for (const auto& task : snapshot_.tasks)
            if (task.serial == serial) return task.thread;
        return std::string();
    });
}

// The body of a panel by name, the same in every layout: example (the scenario), results,
// timeline, console, code.
void App::draw_panel(std::string_view name) {
    if (name == "example") {
        act(draw_scenario_panel(draft_, preset_index_, runner_.busy(), message_));
        switch (draw_sim_controls(step_, exploration_, draft_, runner_.busy())) {
        case SimAction::explore: explore(kExploreSchedules); break;
        case SimAction::replay_worst: {
            Scenario worst = exploration_.scenario;
            worst.seed = exploration_.worst_seed;
            if (std::string error = run(worst); !error.empty()) message_ = error;
            break;
        }
        case SimAction::none: break;
        }
    } else if (name == "results") {
        const Scenario* shown = shown_run_ ? &shown_run_->scenario() : nullptr;
        switch (draw_results_panel(snapshot_, shown, thumbnails_, kThreadsAreWorkers)) {
        case ResultsAction::download_trace: save_trace(); break;
        case ResultsAction::open_simulated:
            if (open_full_page_ && shown) {
                Fields fields = to_fields(*shown);
                fields.emplace_back("backend", "sim");
                fields.emplace_back("autorun", "1"); // it runs at once there, as the reader expects
                open_full_page_(encode_query(fields));
            }
            break;
        case ResultsAction::none: break;
        }
    } else if (name == "timeline") {
        draw_timeline(snapshot_, renderer_, timeline_states(), timeline_zoom_);
    } else if (name == "console") {
        draw_console_panel(snapshot_);
    } else if (name == "code") {
        const CodePanelResult code = draw_code_panel(listing_for_draft(), page_.lang);
        copy_program(code.copied);
        layout_.code = code;
        layout_.code.copied = nullptr;
    }
}

void App::record_panel(std::string_view name, ImVec2 pos, ImVec2 size) {
    layout_.panels.push_back({std::string(name), pos.x, pos.y, size.x, size.y});
}

// A panel in a window of its own, where the layout puts it.
void App::begin_panel(std::string_view name, const char* title, ImVec2 pos, ImVec2 size) {
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(size);
    ImGui::Begin(title, nullptr, fixed);
    record_panel(name, pos, size);
}

namespace {
// A handle on the line between panels, drawn over them: dragging it moves `split` (px) within
// [low, high]. `vertical`: the line runs top to bottom at x = split, from `from` to `to` in y.
void splitter(const char* id, float& split, bool vertical, float from, float to, float low, float high) {
    constexpr float kGrab = 8; // px: 4 either side of the line
    const ImVec2 pos = vertical ? ImVec2{split - kGrab / 2, from} : ImVec2{from, split - kGrab / 2};
    const ImVec2 size = vertical ? ImVec2{kGrab, to - from} : ImVec2{to - from, kGrab};
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(size);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {0, 0});
    ImGui::PushStyleVar(ImGuiStyleVar_WindowMinSize, {1, 1});
    ImGui::Begin(id, nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
    ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow()); // above the panels it lies on
    ImGui::InvisibleButton("##drag", size);
    const bool active = ImGui::IsItemActive();
    if (active || ImGui::IsItemHovered()) {
        ImGui::SetMouseCursor(vertical ? ImGuiMouseCursor_ResizeEW : ImGuiMouseCursor_ResizeNS);
        const ImU32 colour = ImGui::GetColorU32(active ? ImGuiCol_SeparatorActive : ImGuiCol_SeparatorHovered);
        const ImVec2 a = vertical ? ImVec2{split - 1, from} : ImVec2{from, split - 1};
        const ImVec2 b = vertical ? ImVec2{split + 1, to} : ImVec2{to, split + 1};
        ImGui::GetWindowDrawList()->AddRectFilled(a, b, colour);
    }
    if (active) split = std::clamp(vertical ? ImGui::GetIO().MousePos.x : ImGui::GetIO().MousePos.y, low, high);
    ImGui::End();
    ImGui::PopStyleVar(2);
}
} // namespace

void App::layout_windows() {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    // The splits start from the window's size and then stay where the reader drags them for as
    // long as the page lives, within what leaves every panel its minimum size. The left column's
    // width and the example's height are kept in px, the others as shares (they follow the window).
    const float side_max = std::max(240.0f, display.x - 440);
    const float side = std::clamp(splits_.side > 0 ? splits_.side : std::clamp(display.x * 0.24f, 270.0f, 340.0f), 240.0f, side_max);
    const float right_w = display.x - side;
    const float timeline_bottom = std::floor(display.y * std::clamp(splits_.timeline, 0.3f, 0.75f));
    const float console_right = side + std::floor(right_w * std::clamp(splits_.console, 0.25f, 0.6f));
    // The example is as tall as its content was last frame (it changes with the task kind and
    // mode) until the reader drags its edge.
    const float scenario_max = std::max(150.0f, display.y - 160);
    const float scenario_bottom = std::clamp(splits_.scenario > 0 ? splits_.scenario : scenario_content_h_, 150.0f, scenario_max);
    const bool live = snapshot_.phase == RunPhase::running || snapshot_.phase == RunPhase::cancelling;

    begin_panel("example", "Threadlab playground", {0, 0}, {side, scenario_bottom});
    draw_panel("example");
    scenario_content_h_ = ImGui::GetCursorPosY() + ImGui::GetStyle().WindowPadding.y;
    ImGui::End();

    begin_panel("results", "Results", {0, scenario_bottom}, {side, display.y - scenario_bottom});
    draw_panel("results");
    ImGui::End();

    char title[96];
    std::snprintf(title, sizeof title, "Timeline%s###timeline", live ? "  (live)" : "");
    begin_panel("timeline", title, {side, 0}, {right_w, timeline_bottom});
    draw_panel("timeline");
    ImGui::End();

    begin_panel("console", "Console: what the program prints", {side, timeline_bottom},
                {console_right - side, display.y - timeline_bottom});
    draw_panel("console");
    ImGui::End();

    begin_panel("code", "Code: C++ beside the Python it mirrors", {console_right, timeline_bottom},
                {display.x - console_right, display.y - timeline_bottom});
    draw_panel("code");
    ImGui::End();

    float new_side = side, new_timeline = timeline_bottom, new_console = console_right, new_scenario = scenario_bottom;
    splitter("##split_side", new_side, true, 0, display.y, 240, side_max);
    splitter("##split_example", new_scenario, false, 0, side, 150, scenario_max);
    splitter("##split_timeline", new_timeline, false, side, display.x, display.y * 0.3f, display.y * 0.75f);
    splitter("##split_console", new_console, true, timeline_bottom, display.y, side + right_w * 0.25f, side + right_w * 0.6f);
    if (new_side != side) splits_.side = new_side;
    if (new_scenario != scenario_bottom) splits_.scenario = new_scenario;
    if (new_timeline != timeline_bottom) splits_.timeline = new_timeline / display.y;
    if (new_console != console_right) splits_.console = (new_console - side) / right_w;
}

// A phone-sized window: one panel at a time, a tab each; a run shows its timeline.
void App::layout_narrow() {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos({0, 0});
    ImGui::SetNextWindowSize(display);
    ImGui::Begin("Threadlab playground###narrow", nullptr, fixed);
    const bool started = runner_.busy() && !was_busy_;
    if (ImGui::BeginTabBar("panels")) {
        static constexpr std::pair<const char*, const char*> tabs[] = {
            {"example", "Example"}, {"timeline", "Timeline"}, {"console", "Console"},
            {"code", "Code"},       {"results", "Results"}};
        for (const auto& [name, label] : tabs) {
            const bool select = started && std::string_view(name) == "timeline";
            const bool open = ImGui::BeginTabItem(label, nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
            add_tab_stop();
            layout_.tabs.push_back({name, ImGui::GetItemRectMin().x, ImGui::GetItemRectMin().y,
                                    ImGui::GetItemRectSize().x, ImGui::GetItemRectSize().y});
            if (!open) continue;
            ImGui::BeginChild(name, {0, 0}, false);
            record_panel(name, ImGui::GetWindowPos(), ImGui::GetWindowSize());
            draw_panel(name);
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

void App::copy_program(const std::string* program) {
    if (!program) return;
    if (copy_text_)
        copy_text_(*program);
    else
        ImGui::SetClipboardText(program->c_str());
}

void App::set_page_options(PageOptions options) {
    page_ = std::move(options);
    refresh_theme();
}

bool App::refresh_theme() {
    const bool light = page_.theme == ThemeChoice::light ||
                       (page_.theme == ThemeChoice::automatic && prefers_light_ && prefers_light_());
    const Theme wanted = light ? Theme::light : Theme::dark;
    if (wanted == current_theme()) return false;
    apply_theme(wanted);
    return true;
}

void App::act(ScenarioAction action) {
    if (action == ScenarioAction::run) {
        std::string error = run(draft_);
        if (!error.empty()) message_ = error;
    } else if (action == ScenarioAction::cancel) {
        cancel();
    }
}

const CodeListing& App::listing_for_draft() {
    // A CPU task's numbers are the runner's once it has sized them for this machine (the first
    // CPU run does; sizing here would stall the page for a quarter second).
    const bool sized = draft_.kind == TaskKind::cpu && threadlab::tasks::cpu_work_calibrated();
    const std::string key = encode_query(to_fields(draft_)) + (sized ? "&sized" : "");
    if (key != listing_key_) {
        CpuNumbers cpu;
        if (sized) {
            const threadlab::tasks::CpuWork work = threadlab::tasks::cpu_work_for_seconds(draft_.seconds);
            cpu = {work.first, work.last, work.repeats, true};
        }
        listing_ = code_listing(draft_, cpu);
        listing_key_ = key;
    }
    return listing_;
}

// embed=1: a bar (Run, Cancel, the example, a link to the full page) over the chosen panels -
// the timeline across the top when chosen, the others side by side below, in the URL's order.
void App::layout_embed() {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float bar_h = 42;
    ImGui::SetNextWindowPos({0, 0});
    ImGui::SetNextWindowSize({display.x, bar_h});
    ImGui::Begin("##embed_bar", nullptr, fixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
    const char* title = preset_index_ >= 0 ? presets()[preset_index_].name : "Custom example";
    const EmbedBarAction bar = draw_embed_bar(title, runner_.busy(), message_);
    ImGui::End();
    act(bar.action);
    if (bar.open_full_page && open_full_page_) open_full_page_(encode_query(to_fields(draft_)));

    const auto& panels = page_.panels;
    const bool timeline = std::find(panels.begin(), panels.end(), "timeline") != panels.end();
    const size_t others = panels.size() - (timeline ? 1 : 0);
    // What each part would like: a lane per thread the draft starts, the code's lines (the
    // longer listing shown). The timeline and the row below share the height in that ratio.
    const float line_h = ImGui::GetTextLineHeightWithSpacing();
    const float chrome_h = ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().WindowPadding.y;
    const int lane_count = expected_preview(draft_, /*max_lanes=*/0).hidden_lanes; // all counted, none listed
    const float timeline_want = std::clamp(chrome_h + 3 * line_h + 30 + lane_count * 20.0f, 160.0f, 420.0f);
    const CodeListing& code = listing_for_draft();
    const auto lines = [](const std::string& text) { return static_cast<float>(std::count(text.begin(), text.end(), '\n')); };
    const float code_lines = page_.lang == CodeLanguage::python ? lines(code.python)
                             : page_.lang == CodeLanguage::cpp ? lines(code.cpp) : std::max(lines(code.cpp), lines(code.python));
    const float row_want = std::clamp(chrome_h + 2 * line_h + code_lines * line_h, 160.0f, 360.0f);
    preferred_embed_height_ = static_cast<int>(bar_h + (timeline ? timeline_want : 0) + (others ? row_want : 0));
    const float top = bar_h;
    const float timeline_h = !timeline ? 0
                             : others ? std::floor((display.y - top) * timeline_want / (timeline_want + row_want))
                                      : display.y - top;
    const float row_y = top + timeline_h, row_h = display.y - row_y;
    // Widths of the bottom row: code wants the most room, the results the least.
    auto weight = [](const std::string& p) { return p == "code" ? 1.5f : p == "console" ? 1.0f : 0.8f; };
    float total = 0;
    const std::string* last = nullptr; // the bottom row's last panel takes what rounding left
    for (const auto& p : panels)
        if (p != "timeline") {
            total += weight(p);
            last = &p;
        }
    float x = 0;
    for (const auto& p : panels) {
        if (p == "timeline") {
            begin_panel(p, "Timeline###timeline", {0, top}, {display.x, timeline_h});
            draw_panel(p);
            ImGui::End();
            continue;
        }
        const float w = &p == last ? display.x - x : std::floor(display.x * weight(p) / total);
        const std::string title = (p == "console" ? "Console###" : p == "code" ? "Code###" : "Results###") + p;
        begin_panel(p, title.c_str(), {x, row_y}, {w, row_h});
        x += w;
        draw_panel(p);
        ImGui::End();
    }
}

void App::frame() {
    // While a run is in flight, the time since the previous frame (or since the Run): how
    // responsive the UI is (the report's frame_ms).
    const auto now = std::chrono::steady_clock::now();
    if (report_pending_)
        run_frame_intervals_ms_.push_back(std::chrono::duration<float, std::milli>(now - last_frame_at_).count());
    last_frame_at_ = now;
    refresh_snapshot();
    const bool still = reduced_motion_ && reduced_motion_();
    renderer_.begin_frame(still ? 0.0f : static_cast<float>(ImGui::GetTime()));
    layout_ = {};
    if (page_.embed) {
        layout_.mode = "embed";
        layout_embed();
    } else if (ImGui::GetIO().DisplaySize.x < kNarrowWidth) {
        preferred_embed_height_ = 0;
        layout_.mode = "narrow";
        layout_narrow();
    } else {
        preferred_embed_height_ = 0;
        layout_.mode = "wide";
        layout_windows();
    }
    was_busy_ = runner_.busy();
}

} // namespace playground
