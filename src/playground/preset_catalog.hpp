// playground/preset_catalog.hpp - every preset as JSON, for the page before (or without) the app.
//
// The page cannot ask the C++ side anything until the wasm has loaded, and where the browser
// gives no shared memory it never loads. The catalog is written at build time into the web
// bundle (presets.json, by preset_catalog_main.cpp), so that the page can still show an
// example's title, a preview of its timeline and its code: on the start=click poster, and on
// the card of an embed that cannot run real threads.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "scenario.hpp"

namespace playground {

// One lane of the preview: the thread's Python name and its tasks as [start, end] seconds.
struct PreviewLane {
    std::string thread;
    std::vector<std::pair<double, double>> tasks;
};

// What a scenario's timeline would look like with real threads and a core for each: sleeps and
// downloads (at their latency) take their nominal time, pools hand tasks out in order of
// submission. At most `max_lanes` lanes; `hidden_lanes` counts the rest. Tasks whose length is
// not known beforehand (increment) are drawn one unit long, and `timed` is false. A program
// (scenario.program) has no lanes - the page says its threads appear as it starts them - unless
// its preset says it is those tasks (Preset::tasks_form: ten-threads draws its 10 threads).
struct Preview {
    std::vector<PreviewLane> lanes;
    int hidden_lanes = 0;
    double wall_seconds = 0;
    bool timed = true;
};
Preview expected_preview(const Scenario& scenario, int max_lanes = 12);

// {"default": slug, "page_keys": [...], "presets": [{slug, title, description, cpp, python,
//  preview: {lanes: [{thread, tasks}], hidden_lanes, wall_seconds, timed}}]}
nlohmann::json preset_catalog();

} // namespace playground
