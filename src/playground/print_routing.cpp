#include "print_routing.hpp"

#include <cstdio>
#include <mutex>
#include <string>
#include <threadlab/threadlab.hpp>

#include "run_state.hpp"

namespace playground {
namespace {
thread_local std::shared_ptr<RunState> this_thread_run;
thread_local int this_thread_bar = 0;
std::mutex fallback_mutex;
std::shared_ptr<RunState> fallback_run;
bool echo = false;

// Python's default excepthook writes to sys.stderr, which the playground's console stands for: an
// exception that ends a thread (a DeadlockError that broke a cycle) is shown where its run prints.
void print_thread_exceptions_to_console() {
    threadlab::excepthook = [](const threadlab::ExceptHookArgs& args) {
        std::string report = threadlab::format_thread_exception(args); // "" for SystemExit
        if (report.empty()) return;
        report.pop_back(); // println ends the report's last line
        threadlab::println(report); // one call: its lines stay together, as Python writes them
    };
}

} // namespace

void install_print_routing(bool echo_to_stdout) {
    echo = echo_to_stdout;
    print_thread_exceptions_to_console();
    threadlab::set_print_sink([](std::string_view line) {
        std::shared_ptr<RunState> run = this_thread_run;
        const int bar = run ? this_thread_bar : 0;
        if (!run) {
            std::lock_guard lock(fallback_mutex);
            run = fallback_run;
        }
        if (run) run->print(std::string(line), bar);
        if (echo || !run) {
            std::string text(line);
            text += '\n';
            std::fwrite(text.data(), 1, text.size(), stdout);
            std::fflush(stdout);
        }
    });
}

void route_prints_of_this_thread(const std::shared_ptr<RunState>& run, int bar) {
    this_thread_run = run;
    this_thread_bar = bar;
}

void set_fallback_print_target(const std::shared_ptr<RunState>& run) {
    std::lock_guard lock(fallback_mutex);
    fallback_run = run;
}

} // namespace playground
