// Tutorial: "deadlocks". Two threads take lock_a and lock_b in opposite orders: each holds one and
// waits for the other, forever. Python: python/deadlock.py (CPython never notices; the playground
// runs this under Threadlab's deadlock detector, which names the cycle and breaks it).
#include <threadlab/threadlab.hpp>

using namespace threadlab;

Lock lock_a;
Lock lock_b;

void first_a_then_b() {
    std::lock_guard<Lock> with_a(lock_a);  // with lock_a:
    println(current_thread().name(), " holds lock_a");
    sleep(0.1);                            // meanwhile the other thread takes lock_b
    std::lock_guard<Lock> with_b(lock_b);  // with lock_b: waits for a thread that waits for us
    println(current_thread().name(), " holds both");
}

void first_b_then_a() {
    std::lock_guard<Lock> with_b(lock_b);  // with lock_b:
    println(current_thread().name(), " holds lock_b");
    sleep(0.1);
    std::lock_guard<Lock> with_a(lock_a);  // with lock_a:
    println(current_thread().name(), " holds both");
}

int main() {
    lock_a.set_name("lock_a");  // a C++ extension: the names a deadlock report uses
    lock_b.set_name("lock_b");
    Thread t1{THREADLAB_TARGET(first_a_then_b)};
    Thread t2{THREADLAB_TARGET(first_b_then_a)};
    t1.start();
    t2.start();
    t1.join();
    t2.join();
    println("both threads finished");
    return 0;
}
