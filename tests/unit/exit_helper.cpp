// A whole program for what happens at normal exit (checked by check_exit_helper.cmake).
//
// `threadlab_exit_helper` (no argument):
//  - a non-daemon thread still running when main returns is joined before the process ends;
//  - a daemon thread blocked forever does not keep the process alive;
//  - an exception escaping a thread goes to the default excepthook, which prints Python's report
//    on stderr, and the process goes on and exits with main's status (0).
// The non-daemon thread only sets a flag: an atexit handler registered before Threadlab's (so it
// runs after Threadlab's joins them) prints whether it finished. (Under wasm, exit handlers run on
// node's main thread, and a thread printing then would wait for that thread: see the report.)
//
// `threadlab_exit_helper late-submit`: a non-daemon thread submits work after main returned, to a
// pool made before (and never destroyed, like a module-level executor) and to one made then. Both
// raise RuntimeError("cannot schedule new futures after interpreter shutdown"), as Python's do;
// the second escapes the thread and reaches excepthook exactly once; every pool worker is joined
// (ThreadSanitizer reports a thread left unjoined at exit).
#include <threadlab/threadlab.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace threadlab;

namespace {
std::atomic<bool> slow_finished{false};
void report_at_exit() {
    std::fputs(slow_finished ? "non-daemon thread finished\n" : "non-daemon thread NOT joined\n", stdout);
    std::fflush(stdout);
}
} // namespace

// late-submit: what the late thread saw, printed by the exit report (not by the thread: see above).
std::string late_pool_error = "nothing raised";
std::atomic<int> excepthook_calls{0};
std::string excepthook_text;
void report_late_submit_at_exit() {
    std::printf("late submit to the old pool: %s\nexcepthook calls: %d\nexcepthook saw: %s\n", late_pool_error.c_str(),
                excepthook_calls.load(), excepthook_text.c_str());
    std::fflush(stdout);
}

int late_submit() {
    std::atexit(report_late_submit_at_exit);
    excepthook = [](const ExceptHookArgs& args) {
        ++excepthook_calls;
        excepthook_text = args.thread->name() + ": " + describe_exception(args.exc_value);
    };
    static ThreadPoolExecutor& pool = *new ThreadPoolExecutor(2);
    pool.submit([] { return 1; }).result();
    static Event& started = *new Event;
    Thread late({.name = "late"}, [] {
        started.set();
        sleep(0.3); // main has returned by now: the program is exiting
        try {
            pool.submit([] { return 2; });
        } catch (...) {
            late_pool_error = describe_exception(std::current_exception());
        }
        ThreadPoolExecutor fresh(1);
        fresh.submit([] { return 3; }); // escapes the thread: excepthook
    });
    late.start();
    started.wait();
    println("main returns");
    return 0;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "late-submit") return late_submit();
    std::atexit(report_at_exit); // before Threadlab's own handler: runs after it
    static Event& never = *new Event; // never set (nor destroyed): the daemon thread waits forever
    Thread daemon_thread({.name = "forever", .daemon = true}, [] { never.wait(); });
    daemon_thread.start();

    Thread failing({.name = "worker"}, [] { throw ValueError("boom"); });
    failing.start();
    failing.join();
    println("failing thread joined, alive=", failing.is_alive());

    static Event& started = *new Event; // outlives main: `slow` may still be inside set()
    Thread slow({.name = "slow"}, [] {
        started.set();
        sleep(0.3);
        slow_finished = true;
    });
    slow.start();
    started.wait();
    println("main returns");
    return 0;
}
