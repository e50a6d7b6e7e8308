// playground/code_listing.hpp - the program a scenario runs, as C++ and as the Python it mirrors.
//
// The text shows the tutorial's program for the scenario's kind and mode, with the scenario's
// numbers filled in: a whole program, which compiles against the library and runs as shown
// (ctest listing.* builds and runs every preset's). It is what programs.cpp runs, minus the
// playground's bookkeeping (recording task times for the timeline, watching the Cancel button,
// offering the GIL). A scenario with a program shows that program's two files, embedded at
// build time: exactly what runs.
#pragma once

#include <string>

#include "scenario.hpp"

namespace playground {

struct CodeListing {
    std::string cpp;
    std::string python;
};

// The block of numbers a CPU task counts and how often (tasks::CpuWork, as the runner sizes it
// on this machine for the scenario's seconds); the default is a nominal block for listings
// shown before anything ran (the page's static catalog).
struct CpuNumbers {
    unsigned long long first = 1'000'000, last = 1'100'000, repeats = 4;
    bool measured = false; // sized for this machine, or the nominal block
};

CodeListing code_listing(const Scenario& scenario, const CpuNumbers& cpu = {});

} // namespace playground
