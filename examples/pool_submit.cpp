// Tutorial: "submit()". Python: python/pool_submit.py
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
    return 0;
}
