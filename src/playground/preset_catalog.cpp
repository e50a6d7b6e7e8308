#include "preset_catalog.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "code_listing.hpp"
#include "presets.hpp"

namespace playground {

Preview expected_preview(const Scenario& s, int max_lanes) {
    Preview preview;
    if (!s.program.empty()) {
        // A program that is its preset's tasks draws them; another's threads are known when it runs.
        if (const std::optional<Scenario> tasks = tasks_of_program(s.program))
            return expected_preview(*tasks, max_lanes);
        preview.timed = false;
        return preview;
    }
    const bool timed = s.kind != TaskKind::increment;
    const double task = !timed ? 1.0 : s.kind == TaskKind::fetch ? s.latency_ms / 1000.0 : s.seconds;
    // One lane per thread; the lanes run their tasks side by side (every task takes the same time).
    int lanes = s.count;
    std::string (*name)(int) = [](int lane) { return "Thread-" + std::to_string(lane + 1); };
    switch (s.mode) {
    case RunMode::threads:
        break;
    case RunMode::pool:
    case RunMode::map:
        lanes = std::min(s.workers, s.count);
        name = [](int lane) { return "ThreadPoolExecutor-0_" + std::to_string(lane); };
        break;
    case RunMode::sequential:
        lanes = 1;
        name = [](int) { return std::string("MainThread"); };
        break;
    }
    preview.timed = timed;
    const int shown = std::min(lanes, max_lanes);
    preview.hidden_lanes = lanes - shown;
    for (int lane = 0; lane < shown; ++lane) preview.lanes.push_back({name(lane), {}});
    // limit=N: only N run at once, each on its own lane still; the rest wait their turn.
    const int at_once = s.limit > 0 ? std::min(lanes, s.limit) : lanes;
    for (int i = 0; i < s.count; ++i) {
        const double start = (i / at_once) * task;
        preview.wall_seconds = std::max(preview.wall_seconds, start + task);
        if (const int lane = i % lanes; lane < shown) preview.lanes[lane].tasks.emplace_back(start, start + task);
    }
    return preview;
}

nlohmann::json preset_catalog() {
    nlohmann::json list = nlohmann::json::array();
    for (const Preset& preset : presets()) {
        const CodeListing code = code_listing(preset.scenario);
        const Preview preview = expected_preview(preset.scenario);
        nlohmann::json lanes = nlohmann::json::array();
        for (const auto& lane : preview.lanes) lanes.push_back({{"thread", lane.thread}, {"tasks", lane.tasks}});
        list.push_back({{"slug", preset.slug},
                        {"title", preset.name},
                        {"description", preset.description},
                        {"cpp", code.cpp},
                        {"python", code.python},
                        {"preview",
                         {{"lanes", lanes}, {"hidden_lanes", preview.hidden_lanes}, {"wall_seconds", preview.wall_seconds},
                          {"timed", preview.timed}}}});
    }
    // The app opens on the first preset (App's draft), and so does a URL without scenario keys.
    return {{"default", presets().front().slug}, {"page_keys", kPageKeys}, {"presets", list}};
}

} // namespace playground
