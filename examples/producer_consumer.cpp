// A producer and two consumers share a queue.Queue(maxsize=3): put() waits while it is full, get()
// while it is empty, and q.join() until every item is marked task_done(). Python:
// python/producer_consumer.py
#include <threadlab/threadlab.hpp>

using namespace threadlab;

Queue<std::optional<int>> q{3};  // at most 3 items wait in it; std::nullopt is Python's None

void producer() {
    for (int item = 1; item <= 8; ++item) q.put(item);  // waits while the queue is full
    for (int i = 0; i < 2; ++i) q.put(std::nullopt);    // one "stop" per consumer
}

void consumer() {
    for (;;) {
        std::optional<int> item = q.get();  // waits while the queue is empty
        if (!item) {
            q.task_done();
            break;
        }
        sleep(0.1);  // work on it
        println(current_thread().name(), " got ", *item);
        q.task_done();
    }
}

int main() {
    std::vector<Thread> threads = {Thread{{.name = "producer"}, producer},
                                   Thread{{.name = "consumer-1"}, consumer},
                                   Thread{{.name = "consumer-2"}, consumer}};
    for (auto& t : threads) t.start();
    threads[0].join();  // the producer has put every item (else q.join() could return before the first put)
    q.join();  // until every item put is marked task_done()
    println("all items processed");
    for (size_t i = 1; i < threads.size(); ++i) threads[i].join();
    return 0;
}
