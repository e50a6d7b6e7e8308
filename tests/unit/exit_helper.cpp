// A whole program for what happens at normal exit (checked by check_exit_helper.cmake):
//  - a non-daemon thread still running when main returns is joined before the process ends;
//  - a daemon thread blocked forever does not keep the process alive;
//  - an exception escaping a thread goes to the default excepthook, which prints Python's report
//    on stderr, and the process goes on and exits with main's status (0).
// The non-daemon thread only sets a flag: an atexit handler registered before Threadlab's (so it
// runs after Threadlab's joins them) prints whether it finished. (Under wasm, exit handlers run on
// node's main thread, and a thread printing then would wait for that thread: see the report.)
#include <threadlab/threadlab.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>

using namespace threadlab;

namespace {
std::atomic<bool> slow_finished{false};
void report_at_exit() {
    std::fputs(slow_finished ? "non-daemon thread finished\n" : "non-daemon thread NOT joined\n", stdout);
    std::fflush(stdout);
}
} // namespace

int main() {
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
