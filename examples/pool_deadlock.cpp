// Tutorial: "deadlocks", in a pool. A task on a one-worker pool submits another task and waits for
// its result: the new task is queued behind the one waiting for it, and the only worker is busy
// waiting. Python: python/pool_deadlock.py (CPython never notices; the playground runs this under
// Threadlab's deadlock detector, which names the cycle and breaks it).
#include <threadlab/threadlab.hpp>

using namespace threadlab;

int inner() { return 42; }

int outer(ThreadPoolExecutor& executor) {
    Future<int> future = executor.submit(inner);  // queued: the only worker is running outer
    println(current_thread().name(), " waits for inner's result");
    return future.result();                       // waits for a task that cannot start
}

int main() {
    ThreadPoolExecutor executor{1};  // max_workers=1; the destructor is the end of the `with` block
    Future<int> f = executor.submit(outer, std::ref(executor));
    println(f.result());
    return 0;
}
