// Tutorial: "submit()".
//
//   def do_something(seconds):
//       print(f"Sleeping {seconds} Second(s)")
//       time.sleep(seconds)
//       return f"Done Sleeping..."
//   with concurrent.futures.ThreadPoolExecutor() as executor:
//       f1 = executor.submit(do_something, 1)
//       print(f1.result())
#include <threadlab/threadlab.hpp>

using namespace threadlab;

std::string do_something(int seconds) {
    println("Sleeping ", seconds, " Second(s)");
    sleep(seconds);
    return "Done Sleeping...";
}

int main() {
    ThreadPoolExecutor executor; // the destructor is the end of the `with` block
    Future<std::string> f1 = executor.submit(do_something, 1);
    println(f1.result());
}
