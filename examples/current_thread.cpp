// Tutorial: "current_thread() and main_thread()".
//
//   print(f"Name of thread:{threading.current_thread().name}")
//   print(f"Process ID:{os.getpid()}")
#include <threadlab/threadlab.hpp>

#include <unistd.h>

using namespace threadlab;

int main() {
    println("Name of thread:", current_thread().name());
    println("Process ID:", getpid());

    Thread worker{{.name = "worker"}, [] {
        println("Name of thread:", current_thread().name());
        println("Name of main thread:", main_thread().name());
    }};
    worker.start();
    worker.join();
}
