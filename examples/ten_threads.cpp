// Tutorial: "Example of Threading": 10 threads each sleep 1 second; all done in about 1 second.
//
//   start = time.perf_counter()
//   def do_something(seconds):
//       print(f'Sleeping {seconds} Second(s)...')
//       time.sleep(seconds)
//       print(f'Done Sleeping...')
//   threads = []
//   for _ in range(10):
//       t = threading.Thread(target=do_something, args=[1])
//       t.start()
//       threads.append(t)
//   for thread in threads:
//       thread.join()
//   end = time.perf_counter()
//   print(f"Successfully Executed in {round(end-start,2)} Second(s)")
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
}
