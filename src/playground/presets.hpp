// playground/presets.hpp - one scenario per example of the tutorial, named after it.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "scenario.hpp"

namespace playground {

struct Preset {
    const char* slug;        // stable name for URLs and embeds: preset=ten-threads
    const char* name;        // as the tutorial titles the example
    const char* description; // one line: what it shows
    Scenario scenario;
    // A program preset whose program is exactly the tasks in its other fields (ten-threads: 10
    // threads sleep 1 s). Keys that size tasks then run those tasks, changed (preset=ten-threads
    // &seconds=0.5), and the preview draws them; other programs refuse such keys.
    bool tasks_form = false;
};

const std::vector<Preset>& presets();
// The preset of that slug, or nullptr.
const Preset* find_preset(std::string_view slug);
// The tasks a program is (its preset's scenario, less the program, where tasks_form says the
// program is exactly those tasks: program=ten-threads is 10 threads x 1 s), or nullopt.
std::optional<Scenario> tasks_of_program(std::string_view program);

} // namespace playground
