// Tutorial: "Thread()", "start()", "join()". Python: python/thread_basics.py
#include <threadlab/threadlab.hpp>

using namespace threadlab;

void do_something() {
    println("sleeping 1 second");
    sleep(1);
    println("Done Sleeping");
}

int main() {
    Thread thread1{{.name = "any_name", .daemon = std::nullopt}, do_something};
    thread1.start();
    thread1.join();
    println(thread1.name(), " is alive: ", thread1.is_alive());
    try {
        thread1.start(); // "It must be called at most once per thread object."
    } catch (const RuntimeError& error) {
        println("RuntimeError: ", error.what());
    }
    return 0;
}
