// playground/presets.hpp - one scenario per example of the tutorial, named after it.
#pragma once

#include <vector>

#include "scenario.hpp"

namespace playground {

struct Preset {
    const char* name;        // as the tutorial titles the example
    const char* description; // one line: what it shows
    Scenario scenario;
};

const std::vector<Preset>& presets();

} // namespace playground
