// Tutorial: "concurrent.futures.map()": results in the order of the arguments.
// Seconds are tenths here so the example runs in half a second. Python: python/pool_map.py
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
    for (const std::string& result : executor.map(do_something, secs)) println(result);
    return 0;
}
