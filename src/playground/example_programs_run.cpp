// The example programs, compiled into the playground from the very files the code panel shows.
//
// Each file is a whole program (its own main(), its own globals), so each is included into a
// namespace of its own, after the headers they use (their #includes are then no-ops inside the
// namespace, thanks to include guards). The runner calls that main() on its "MainThread". The
// namespaces are top-level: nested in playground::, a name there (or the namespace itself, say
// example::current_thread) would hide the threadlab name the program means.
#include "example_programs.hpp"
#include "print_routing.hpp"
#include "programs.hpp"
#include "run_state.hpp"

#include <threadlab/threadlab.hpp>

#include <unistd.h>

#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

// NOLINTBEGIN: whole programs, written as a reader of the tutorial would write them.
#include "example_program_mains.hpp"
// NOLINTEND

namespace playground {
namespace {

// Runs a program's main() from fresh globals, as a new python3 process would: a second run must
// not see the list the first one filled. (Globals that a whole run leaves as it found them - an
// emptied queue, a Lock released - need nothing.)
bool run_main(const ExampleProgram& program) {
    if (program.file == "local_data") ::example_local_data::seen.clear();
    for (const auto& example : program_files::kExampleMains) {
        if (program.file == example.file) {
            example.main();
            return true;
        }
    }
    return false;
}

// The program starts its own threads; each becomes one bar on the timeline, from its start to
// its end, and its prints go to this run's console. Read from the library's event stream, which
// reports every thread as it starts (on that thread) and as it finishes.
class ThreadBars final : public threadlab::events::Observer {
public:
    explicit ThreadBars(std::shared_ptr<RunState> run) : run_(std::move(run)) {
        threadlab::events::add_observer(this);
    }
    ~ThreadBars() override { threadlab::events::remove_observer(this); }
    ThreadBars(const ThreadBars&) = delete;
    ThreadBars& operator=(const ThreadBars&) = delete;

    // A bar for the calling thread, from now on; its prints go to the run and into the bar. The
    // program's main thread has one too (label "main()"), from main's first line to its last.
    int begin(const std::string& label) {
        const threadlab::Thread self = threadlab::current_thread();
        const int id = next_id(self.serial());
        run_->add_task(id, label, self.name());
        run_->begin_task(id, self.name());
        route_prints_of_this_thread(run_, id);
        return id;
    }
    void end(int id, bool ok) { run_->finish_task(id, ok ? TaskStatus::done : TaskStatus::failed); }
    // The bars of these threads (serials), for a deadlock's cycle.
    std::vector<int> bars_of(const std::vector<std::uint32_t>& serials) {
        std::lock_guard lock(mutex_);
        std::vector<int> bars;
        for (std::uint32_t serial : serials)
            if (auto it = ids_.find(serial); it != ids_.end()) bars.push_back(it->second);
        return bars;
    }

    void on_event(const threadlab::events::Event& event) noexcept override {
        using threadlab::events::Kind;
        try {
            if (event.kind == Kind::thread_started && event.count == 1) {
                begin(threadlab::current_thread().name());
            } else if (event.kind == Kind::thread_finished) {
                std::lock_guard lock(mutex_);
                if (auto it = ids_.find(event.thread); it != ids_.end())
                    run_->finish_task(it->second, event.ok ? TaskStatus::done : TaskStatus::failed);
            }
        } catch (...) {  // out of memory: a bar less, never an exception through the library
        }
    }

private:
    int next_id(std::uint32_t serial) {
        std::lock_guard lock(mutex_);
        const int id = ++count_;
        if (serial)
            ids_[serial] = id;
        return id;
    }

    std::shared_ptr<RunState> run_;
    std::mutex mutex_;
    int count_ = 0;
    std::map<std::uint32_t, int> ids_;  // thread serial -> its bar
};

}  // namespace

void run_example_program(const std::shared_ptr<RunState>& run) {
    route_prints_of_this_thread(run);
    ThreadBars bars(run);
    // The tutorial's programs run under the deadlock detector: a cycle is named in the console,
    // drawn red, and broken - its waits raise DeadlockError, the threads unwind and end, and the
    // page can run again. (Task presets need none: their tasks never wait for one another.)
    threadlab::DeadlockDetector detector({.break_cycles = true, .on_deadlock = [&](const threadlab::DeadlockReport& report) {
        run->add_deadlock(report.message, bars.bars_of(report.threads));
    }});
    run->restart_clock();
    const double t1 = threadlab::perf_counter();
    const int main_bar = bars.begin("main()");
    bool ok = true;
    try {
        const ExampleProgram* program = find_example_program(run->scenario().program);
        if (!program || !run_main(*program))
            threadlab::println("no such program: ", run->scenario().program);
    } catch (const std::exception&) {
        ok = false;
        threadlab::println("Traceback (most recent call last):");
        threadlab::println(threadlab::describe_exception(std::current_exception()));
    }
    bars.end(main_bar, ok);
    run->set_wall(threadlab::perf_counter() - t1);
    run->set_phase(RunPhase::finished);
}

}  // namespace playground
