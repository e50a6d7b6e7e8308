#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include <threadlab/sim.hpp>

#include "keyboard.hpp"
#include "panels.hpp"
#include "presets.hpp"
#include "theme.hpp"

namespace playground {
namespace {

bool colored_button(const char* label, ImVec4 color, ImVec2 size, bool enabled) {
    if (!enabled) ImGui::BeginDisabled();
    ImGui::PushStyleColor(ImGuiCol_Button, color);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, {color.x * 1.15f, color.y * 1.15f, color.z * 1.15f, 1});
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, {color.x * 0.9f, color.y * 0.9f, color.z * 0.9f, 1});
    const bool pressed = ImGui::Button(label, size);
    ImGui::PopStyleColor(3);
    if (!enabled) ImGui::EndDisabled();
    return pressed;
}

void section(const char* title) {
    ImGui::Spacing();
    ImGui::TextColored(palette().text_dim, "%s", title);
}

template <class E> bool radio_row(const char* id, E& value, std::initializer_list<std::pair<E, const char*>> options) {
    bool changed = false;
    ImGui::PushID(id);
    bool first = true;
    for (const auto& [option, label] : options) {
        if (!first) ImGui::SameLine();
        first = false;
        if (tab_stop(ImGui::RadioButton(label, value == option))) {
            value = option;
            changed = true;
        }
    }
    ImGui::PopID();
    return changed;
}

bool gil_checkbox(Scenario& s) {
    const bool changed = tab_stop(ImGui::Checkbox("Python mode (GIL)", &s.gil));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Run as CPython would: one thread at a time holds the global interpreter lock;\n"
                          "it is given up while a thread sleeps, downloads or waits, and handed over\n"
                          "every 5 ms (sys.getswitchinterval()) while threads compute.");
    return changed;
}

// The task, how many, and how to run them: everything a scenario built from tasks can change.
bool draw_task_knobs(Scenario& s, float width) {
    bool edited = false;
    section("Task");
    edited |= radio_row("kind", s.kind, {{TaskKind::sleep, "sleep"}, {TaskKind::fetch, "fetch"}, {TaskKind::cpu, "cpu"},
                                         {TaskKind::increment, "counter += 1"}});
    ImGui::PushItemWidth(width - 90);
    edited |= tab_stop(ImGui::SliderInt("count", &s.count, 1, kMaxTasks, "%d", ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp));
    if (s.kind == TaskKind::fetch) {
        edited |= tab_stop(ImGui::SliderInt("latency ms", &s.latency_ms, 0, 3000, "%d", ImGuiSliderFlags_AlwaysClamp));
        edited |= tab_stop(ImGui::SliderInt("kbps", &s.kbps, 0, 100000, s.kbps ? "%d" : "unlimited",
                                   ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp));
        if (s.urls.empty())
            ImGui::TextDisabled("URLs: the tutorial's 15 photos%s", s.count > 15 ? " (repeated)" : "");
        else if (tab_stop(ImGui::SmallButton("use the tutorial's photos")))
            s.urls.clear(), edited = true;
        else {
            ImGui::SameLine();
            ImGui::TextDisabled("%d URLs given", static_cast<int>(s.urls.size()));
        }
    } else if (s.kind == TaskKind::increment) {
        edited |= tab_stop(ImGui::SliderInt("increments", &s.increments, 1, 10'000'000, "%d",
                                   ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp));
        edited |= tab_stop(ImGui::Checkbox("with lock:", &s.lock));
    } else {
        float seconds = static_cast<float>(s.seconds);
        if (tab_stop(ImGui::SliderFloat("seconds", &seconds, 0.0f, 10.0f, "%.2f s", ImGuiSliderFlags_AlwaysClamp))) {
            s.seconds = std::round(seconds * 100) / 100.0;
            edited = true;
        }
    }
    edited |= tab_stop(ImGui::SliderInt("at once", &s.limit, 0, 64, s.limit ? "at most %d (Semaphore)" : "no limit",
                               ImGuiSliderFlags_AlwaysClamp));
    ImGui::PopItemWidth();

    section("Run them with");
    ImGui::SameLine(0, 16);
    edited |= gil_checkbox(s);
    edited |= radio_row("mode", s.mode, {{RunMode::threads, "threads"}, {RunMode::pool, "pool (as_completed)"}});
    edited |= radio_row("mode2", s.mode, {{RunMode::map, "map"}, {RunMode::sequential, "sequential"}});
    const char* explanation = "";
    switch (s.mode) {
    case RunMode::threads: explanation = "one threading.Thread per task, then join() them all"; break;
    case RunMode::pool: explanation = "ThreadPoolExecutor: submit() each, then as_completed()"; break;
    case RunMode::map: explanation = "ThreadPoolExecutor.map(): results in input order"; break;
    case RunMode::sequential: explanation = "one after another on the main thread (baseline)"; break;
    }
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    ImGui::TextWrapped("%s", explanation);
    ImGui::PopStyleColor();
    if (s.mode == RunMode::pool || s.mode == RunMode::map) {
        ImGui::SetNextItemWidth(width - 90);
        edited |= tab_stop(ImGui::SliderInt("workers", &s.workers, 1, 64, "%d", ImGuiSliderFlags_AlwaysClamp));
    }
    return edited;
}

} // namespace

namespace {
#ifdef THREADLAB_SIM
void draw_step_choices(StepControl& step) {
    const auto choices = threadlab::sim::runnable_threads();
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    ImGui::TextWrapped("%s", choices.empty() ? "No thread can run now: each one waits (a sleep, a lock, a join)."
                                             : "Paused. Who runs next, to its next scheduling point?");
    ImGui::PopStyleColor();
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        ImGui::PushID(static_cast<int>(choices[i].ident));
        if (tab_stop(ImGui::Button(choices[i].name.c_str()))) step.choice = choices[i].ident;
        ImGui::PopID();
        const float next_w = i + 1 < choices.size() ? ImGui::CalcTextSize(choices[i + 1].name.c_str()).x + 16 : 0;
        if (i + 1 < choices.size() && ImGui::GetItemRectMax().x + next_w + 8 < right) ImGui::SameLine();
    }
    if (!choices.empty() && tab_stop(ImGui::Button("The seed's choice"))) step.choice = 0;
}

// Explore, for a race: the button, the progress, and the summary with its replay.
SimAction draw_exploration(const Exploration& e, const Scenario& draft, bool busy) {
    SimAction action = SimAction::none;
    if (e.running) {
        ImGui::TextWrapped("Exploring: %d of %d schedules, %d lost updates (Cancel stops)", e.done, e.schedules,
                           e.losing);
        ImGui::ProgressBar(e.schedules ? static_cast<float>(e.done) / e.schedules : 0.f, {-1, 0}, "");
        return action;
    }
    if (e.schedules > 0 && e.done > 0 && e.scenario.kind == draft.kind) {
        const long long total = static_cast<long long>(e.scenario.count) * e.scenario.increments;
        if (e.losing > 0)
            ImGui::TextWrapped("Lost updates in %d of %d schedules. The worst, seed %d, lost %lld of %lld.", e.losing,
                               e.done, e.worst_seed, e.worst_lost, total);
        else
            ImGui::TextWrapped("No update lost in %d schedules.", e.done);
        if (e.losing > 0 && !busy && tab_stop(ImGui::Button("Replay the worst"))) action = SimAction::replay_worst;
    }
    if (busy || draft.kind != TaskKind::increment) return action;
    char label[64];
    std::snprintf(label, sizeof label, "Explore %d schedules", kExploreSchedules);
    if (tab_stop(ImGui::Button(label))) action = SimAction::explore;
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Runs this race under seeds 1 to %d, each a different interleaving (with at most\n"
                          "%d increments per thread, so that it takes seconds), and counts the ones that lose\n"
                          "updates. Any of them replays exactly from its seed.",
                          kExploreSchedules, kExploreIncrements);
    return action;
}
#endif
} // namespace

SimAction draw_sim_controls([[maybe_unused]] StepControl& step, [[maybe_unused]] const Exploration& exploration,
                            [[maybe_unused]] const Scenario& draft, [[maybe_unused]] bool busy) {
#ifdef THREADLAB_SIM
    ImGui::Spacing();
    tab_stop(ImGui::Checkbox("Step mode: be the scheduler", &step.on));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Simulated threads: pause at every scheduling point (a lock, a wait, a sleep, a\n"
                          "shared value read or written) and choose which thread runs next.");
    if (step.on && busy) draw_step_choices(step);
    if (!step.on) return draw_exploration(exploration, draft, busy);
#endif
    return SimAction::none;
}

ScenarioAction draw_scenario_panel(Scenario& s, int& preset_index, bool busy, const std::string& message) {
    ScenarioAction action = ScenarioAction::none;
    const float width = ImGui::GetContentRegionAvail().x;
    const auto& list = presets();

    section("Tutorial example");
    ImGui::SetNextItemWidth(width);
    const char* current = preset_index >= 0 && preset_index < static_cast<int>(list.size())
                              ? list[preset_index].name : "Custom";
    const bool choosing = ImGui::BeginCombo("##preset", current);
    if (!choosing) add_tab_stop(); // (while open, the last item is the list's)
    if (choosing) {
        for (int i = 0; i < static_cast<int>(list.size()); ++i) {
            if (ImGui::Selectable(list[i].name, i == preset_index)) {
                preset_index = i;
                s = list[i].scenario;
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", list[i].description);
        }
        ImGui::EndCombo();
    }
    if (preset_index >= 0 && preset_index < static_cast<int>(list.size()))
        ImGui::TextWrapped("%s", list[preset_index].description);

    bool edited = false;
    if (!s.program.empty()) {
        // A program runs as written: no task knobs to turn, only Python mode.
        section("Program");
        ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
        ImGui::TextWrapped("Runs the tutorial's program exactly as the code panel shows it. Pick another "
                           "example to size the tasks yourself.");
        ImGui::PopStyleColor();
        edited |= gil_checkbox(s);
    } else {
        edited |= draw_task_knobs(s, width);
    }
    if (edited) preset_index = -1;

    ImGui::Spacing();
    ImGui::Spacing();
    const float button_w = (width - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    if (tab_stop(colored_button(busy ? "Running..." : "Run", {0.16f, 0.50f, 0.30f, 1}, {button_w, 30}, !busy), true))
        action = ScenarioAction::run;
    ImGui::SameLine();
    if (tab_stop(colored_button("Cancel", {0.55f, 0.22f, 0.22f, 1}, {button_w, 30}, busy)))
        action = ScenarioAction::cancel;
    if (!message.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette().error);
        ImGui::TextWrapped("%s", message.c_str());
        ImGui::PopStyleColor();
    }
    return action;
}

EmbedBarAction draw_embed_bar(const char* title, bool busy, const std::string& message) {
    EmbedBarAction out;
    if (tab_stop(colored_button(busy ? "Running..." : "Run", {0.16f, 0.50f, 0.30f, 1}, {90, 26}, !busy), true))
        out.action = ScenarioAction::run;
    ImGui::SameLine();
    if (tab_stop(colored_button("Cancel", {0.55f, 0.22f, 0.22f, 1}, {70, 26}, busy)))
        out.action = ScenarioAction::cancel;
    ImGui::SameLine();
    const char* link = "Open in Threadlab ->";
    const float link_w = ImGui::CalcTextSize(link).x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::AlignTextToFramePadding();
    const bool error = !message.empty();
    ImGui::PushStyleColor(ImGuiCol_Text, error ? palette().error : palette().text_dim);
    // Leave room for the link; the title (or an error) is clipped before it.
    const float room = ImGui::GetContentRegionAvail().x - link_w - ImGui::GetStyle().ItemSpacing.x;
    ImGui::PushClipRect(ImGui::GetCursorScreenPos(), {ImGui::GetCursorScreenPos().x + std::max(room, 0.0f), 1e6f}, true);
    ImGui::TextUnformatted(error ? message.c_str() : title);
    ImGui::PopClipRect();
    ImGui::PopStyleColor();
    ImGui::SameLine(std::max(ImGui::GetWindowContentRegionMax().x - link_w, 0.0f));
    out.open_full_page = tab_stop(ImGui::SmallButton(link)) || out.open_full_page;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The full playground with this example, in a new tab");
    return out;
}

} // namespace playground
