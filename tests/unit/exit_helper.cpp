// A whole program for what happens at normal exit (checked by check_exit_helper.cmake):
//  - a non-daemon thread still running when main returns is joined first (its line is printed);
//  - a daemon thread blocked forever does not keep the process alive;
//  - an exception escaping a thread goes to the default excepthook, which prints Python's report
//    on stderr, and the process goes on and exits with main's status (0).
#include <threadlab/threadlab.hpp>

#include <cstdio>

using namespace threadlab;

int main() {
    static Event& never = *new Event; // never set (nor destroyed): the daemon thread waits forever
    Thread daemon_thread({.name = "forever", .daemon = true}, [] { never.wait(); });
    daemon_thread.start();

    Thread failing({.name = "worker"}, [] { throw ValueError("boom"); });
    failing.start();
    failing.join();
    println("failing thread joined, alive=", failing.is_alive());

    Event started;
    Thread slow({.name = "slow"}, [&started] {
        started.set();
        sleep(0.3);
        println("non-daemon thread finished");
    });
    slow.start();
    started.wait();
    println("main returns");
    return 0;
}
