// Tutorial: "Example of Threading": 10 threads each sleep 1 second; all done in about 1 second. Python: python/ten_threads.py
#include <threadlab/threadlab.hpp>

#include <cmath>

using namespace threadlab;

void do_something(int seconds) {
    println("Sleeping ", seconds, " Second(s)...");
    sleep(seconds);
    println("Done Sleeping...");
}

int main() {
    double start = perf_counter();

    std::vector<Thread> threads;
    for (int i = 0; i < 10; ++i) {
        Thread t{THREADLAB_TARGET(do_something), 1};
        t.start();
        threads.push_back(t);
    }
    for (auto& thread : threads) thread.join();

    double end = perf_counter();
    println("Successfully Executed in ", std::round((end - start) * 100) / 100, " Second(s)");
    return 0;
}
