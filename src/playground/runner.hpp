// playground/runner.hpp - starts a scenario's program on its own thread and lets the UI cancel it.
//
// The runner thread plays the tutorial's main program (it is named "MainThread", the name the
// Python program's main thread has): it starts threads, joins them and prints. The UI thread only
// calls these non-blocking functions and reads the current RunState.
#pragma once

#include <memory>
#include <string>

#include <threadlab/events.hpp>

#include "run_state.hpp"
#include "scenario.hpp"

namespace playground {

class Runner {
public:
    // Starts `scenario`. Returns "" on success, else why not (a run is still going).
    std::string start(const Scenario& scenario);
    // Asks the run to stop: sleeping and computing tasks stop within ~20 ms, tasks not yet started
    // are skipped. A task blocked where it cannot be interrupted (a synchronous fetch in the
    // browser) is left behind after a grace period: see update().
    void cancel();
    // Call once per frame: abandons a cancelled run whose threads did not end within the grace
    // period, so the UI is free to start another run.
    void update();

    bool busy() const;
    const std::shared_ptr<RunState>& current() const { return current_; }
    // Every event of the current run, from before its first thread started (for the timeline's
    // thread states and the trace export). Replaced by the next run.
    const std::shared_ptr<threadlab::events::Recorder>& recorder() const { return recorder_; }

private:
    std::shared_ptr<RunState> current_;
    std::shared_ptr<threadlab::events::Recorder> recorder_;
    double cancelled_at_ = -1;
};

} // namespace playground
