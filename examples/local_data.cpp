// Tutorial: "To maintain local data". Each thread sees its own thread_data.x (the main thread's 10
// is untouched by the others); the global list is one for every thread. Python: python/local_data.py
#include <threadlab/threadlab.hpp>

using namespace threadlab;

struct Data {
    int x = 0;
};

local<Data> thread_data;  // threading.local(): one Data per thread
std::vector<int> seen;    // a global: one list, shared by every thread
Lock seen_lock;

void worker(int i) {
    thread_data->x = i;
    {
        std::lock_guard<Lock> with_lock(seen_lock);  // with seen_lock:
        seen.push_back(i);
    }
    sleep(0.1);  // the others set their own x meanwhile
    println(current_thread().name(), ": x = ", thread_data->x);
}

int main() {
    thread_data->x = 10;

    std::vector<Thread> threads;
    for (int i = 1; i <= 3; ++i) {
        Thread t{THREADLAB_TARGET(worker), i};
        t.start();
        threads.push_back(t);
    }
    for (auto& t : threads) t.join();

    println("MainThread: x = ", thread_data->x);
    println("seen by all: ", seen.size(), " items");
    return 0;
}
