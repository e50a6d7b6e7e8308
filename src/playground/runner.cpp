#include "runner.hpp"

#include <threadlab/gil.hpp>
#include <threadlab/threadlab.hpp>

#include "print_routing.hpp"
#include "programs.hpp"

namespace playground {

namespace {
constexpr double kCancelGraceSeconds = 3.0;
}

bool Runner::busy() const {
    if (!current_) return false;
    const RunPhase phase = current_->phase();
    return phase == RunPhase::running || phase == RunPhase::cancelling;
}

std::string Runner::start(const Scenario& scenario) {
    if (busy()) return "A run is still in progress: wait for it to finish or cancel it first.";
    auto run = std::make_shared<RunState>(scenario);
    current_ = run;
    // 131,072 events (~8 MB): the UI reads them every frame, so only a run that emits more than
    // that in one frame (a contended Lock taken millions of times) loses some.
    recorder_.reset(); // the last run's first: its destructor removes it from the observers
    recorder_ = std::make_shared<threadlab::events::Recorder>(1 << 17);
    threadlab::events::add_observer(recorder_.get());
    cancelled_at_ = -1;
    set_fallback_print_target(run);
    threadlab::gil::set_enabled(scenario.gil); // Python mode, for this run's threads
    try {
        // Daemon: a run left behind (see update) must not keep the program from exiting.
        threadlab::Thread runner{{.name = "MainThread", .daemon = true}, [run] { run_program(run); }};
        runner.start();
    } catch (const std::exception& error) {
        run->print(std::string("could not start the runner thread: ") + error.what());
        run->set_phase(RunPhase::finished);
        return std::string("could not start the runner thread: ") + error.what();
    }
    return {};
}

void Runner::cancel() {
    if (!busy()) return;
    current_->cancel_requested.store(true);
    current_->set_phase(RunPhase::cancelling);
    cancelled_at_ = threadlab::perf_counter();
}

void Runner::update() {
    if (!current_ || cancelled_at_ < 0) return;
    if (current_->phase() != RunPhase::cancelling) return;
    if (threadlab::perf_counter() - cancelled_at_ < kCancelGraceSeconds) return;
    current_->print("(cancelled: gave up waiting for threads still blocked)");
    current_->set_phase(RunPhase::cancelled);
}

} // namespace playground
