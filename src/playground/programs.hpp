// playground/programs.hpp - the tutorial's programs, in C++, on Threadlab.
//
// run_program() is the tutorial's main program: it starts the tasks the scenario asks for
// (threads, a pool with submit + as_completed, a pool with map, or one after another), waits
// for them exactly as the Python does, and prints what the Python prints. It runs on the
// runner thread, never on the UI thread. Code panel text for the same programs: code_listing.hpp.
#pragma once

#include <memory>

namespace playground {

class RunState;

void run_program(const std::shared_ptr<RunState>& run);

} // namespace playground
