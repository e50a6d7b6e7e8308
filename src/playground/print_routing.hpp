// playground/print_routing.hpp - send each println() line to the console of the run that printed it.
//
// threadlab::println has one process-wide sink. A line belongs to the run whose thread printed
// it: task threads and the runner bind themselves to their run (a thread_local), so a thread
// left behind by an abandoned run can never print into the next run's console.
#pragma once

#include <memory>

namespace playground {

class RunState;

// Installs the sink once, and a threading.excepthook that prints into the console (Python's
// writes to stderr). echo_to_stdout: also write each line to standard output (desktop).
void install_print_routing(bool echo_to_stdout);
// The calling thread's lines go to `run` from now on; with a bar (a task id), each is also that
// bar's last line, shown on the timeline (a program's thread: what its thread-local x is now).
void route_prints_of_this_thread(const std::shared_ptr<RunState>& run, int bar = 0);
// Lines from threads that never bound themselves (e.g. excepthook on a foreign thread).
void set_fallback_print_target(const std::shared_ptr<RunState>& run);

} // namespace playground
