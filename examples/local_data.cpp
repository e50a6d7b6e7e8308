// Tutorial: "To maintain local data".
//
//   thread_data = threading.local()
//   thread_data.x = 10
//
// Each thread sees its own x: the main thread's 10 is untouched by the others.
#include <threadlab/threadlab.hpp>

using namespace threadlab;

struct Data {
    int x = 0;
};

int main() {
    local<Data> thread_data;
    thread_data->x = 10;

    std::vector<Thread> threads;
    for (int i = 1; i <= 3; ++i) {
        threads.emplace_back([&thread_data, i] {
            thread_data->x = i;
            println(current_thread().name(), ": x = ", thread_data->x);
        });
        threads.back().start();
    }
    for (auto& t : threads) t.join();
    println("MainThread: x = ", thread_data->x);
}
