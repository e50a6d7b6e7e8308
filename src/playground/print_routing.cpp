#include "print_routing.hpp"

#include <cstdio>
#include <mutex>
#include <string>
#include <threadlab/threadlab.hpp>

#include "run_state.hpp"

namespace playground {
namespace {
thread_local std::shared_ptr<RunState> this_thread_run;
std::mutex fallback_mutex;
std::shared_ptr<RunState> fallback_run;
bool echo = false;
} // namespace

void install_print_routing(bool echo_to_stdout) {
    echo = echo_to_stdout;
    threadlab::set_print_sink([](std::string_view line) {
        std::shared_ptr<RunState> run = this_thread_run;
        if (!run) {
            std::lock_guard lock(fallback_mutex);
            run = fallback_run;
        }
        if (run) run->print(std::string(line));
        if (echo || !run) {
            std::string text(line);
            text += '\n';
            std::fwrite(text.data(), 1, text.size(), stdout);
            std::fflush(stdout);
        }
    });
}

void route_prints_of_this_thread(const std::shared_ptr<RunState>& run) { this_thread_run = run; }

void set_fallback_print_target(const std::shared_ptr<RunState>& run) {
    std::lock_guard lock(fallback_mutex);
    fallback_run = run;
}

} // namespace playground
