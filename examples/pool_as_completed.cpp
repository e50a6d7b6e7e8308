// Tutorial: "concurrent.futures.as_completed()": results as each thread finishes.
// Seconds are tenths here so the example runs in half a second; the order is the point. Python: python/pool_as_completed.py
#include <threadlab/threadlab.hpp>

using namespace threadlab;

std::string do_something(double seconds) {
    println("Sleeping ", seconds, " Second(s)...");
    sleep(seconds);
    return str("Done Sleeping...", seconds);
}

int main() {
    ThreadPoolExecutor executor;
    std::vector<double> secs = {0.5, 0.4, 0.3, 0.2, 0.1};
    std::vector<Future<std::string>> results;
    for (double sec : secs) results.push_back(executor.submit(do_something, sec));
    for (const Future<std::string>& f : as_completed(results)) println(f.result());
    return 0;
}
