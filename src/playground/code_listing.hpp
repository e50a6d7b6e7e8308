// playground/code_listing.hpp - the program a scenario runs, as C++ and as the Python it mirrors.
//
// The text shows the tutorial's program for the scenario's kind and mode, with the scenario's
// numbers filled in. It is what programs.cpp runs, minus the playground's bookkeeping (recording
// task times for the timeline and watching the Cancel button). A scenario with a program shows
// that program's two files, embedded at build time: exactly what runs.
#pragma once

#include <string>

#include "scenario.hpp"

namespace playground {

struct CodeListing {
    std::string cpp;
    std::string python;
};

CodeListing code_listing(const Scenario& scenario);

} // namespace playground
