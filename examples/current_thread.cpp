// Tutorial: "current_thread() and main_thread()". Python: python/current_thread.py
#include <threadlab/threadlab.hpp>

#include <unistd.h>

using namespace threadlab;

void report() {
    println("Name of thread:", current_thread().name());
    println("Name of main thread:", main_thread().name());
}

int main() {
    println("Name of thread:", current_thread().name());
    println("Process ID:", getpid());

    Thread worker{{.name = "worker"}, report};
    worker.start();
    worker.join();
    return 0;
}
