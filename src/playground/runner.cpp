#include "runner.hpp"

#include <random>

#include <threadlab/gil.hpp>
#include <threadlab/sim.hpp>
#include <threadlab/threadlab.hpp>

#include "print_routing.hpp"
#include "programs.hpp"

namespace playground {

namespace {
constexpr double kCancelGraceSeconds = 3.0;

// Simulated threads: every run has a seed, the one given (seed=N) or a new one, and the run's
// scenario (so its report) carries it, so that running that scenario again replays the run.
Scenario with_seed(Scenario scenario) {
    if (threadlab::detail::simulated && scenario.seed == 0)
        scenario.seed = static_cast<int>(std::random_device{}() % 2'147'483'647u) + 1;
    return scenario;
}
} // namespace

bool Runner::busy() const {
    if (!current_) return false;
    const RunPhase phase = current_->phase();
    return phase == RunPhase::running || phase == RunPhase::cancelling;
}

std::string Runner::start(const Scenario& scenario) {
    if (busy()) return "A run is still in progress: wait for it to finish or cancel it first.";
    auto run = std::make_shared<RunState>(with_seed(scenario));
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
#ifdef THREADLAB_SIM
        threadlab::sim::reseed(static_cast<std::uint64_t>(run->scenario().seed)); // threads left by a cancelled run: RuntimeError
#endif
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
