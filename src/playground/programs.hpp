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
// A scenario with a program: runs that example's main() as written (example_programs_run.cpp),
// each thread it starts one bar on the timeline. run_program() calls it.
void run_example_program(const std::shared_ptr<RunState>& run);

} // namespace playground
