// Tutorial: "concurrent.futures.as_completed()": results as each thread finishes.
//
//   def do_something(seconds):
//       print(f'Sleeping {seconds} Second(s)...')
//       time.sleep(seconds)
//       return f'Done Sleeping...{seconds}'
//   with concurrent.futures.ThreadPoolExecutor() as executor:
//       secs = [5, 4, 3, 2, 1]
//       results = [executor.submit(do_something, sec) for sec in secs]
//       for f in concurrent.futures.as_completed(results):
//           print(f.result())
//
// Seconds are tenths here so the example runs in half a second; the order is the point.
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
}
