// Tutorial: "Thread()", "start()", "join()".
//
//   def do_something():
//       print("sleeping 1 second")
//       time.sleep(1)
//       print("Done Sleeping")
//   thread1 = threading.Thread(group=None, name="any_name", target=do_something, args=[], kwargs={}, daemon=None)
//   thread1.start()
//   thread1.join()
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
}
