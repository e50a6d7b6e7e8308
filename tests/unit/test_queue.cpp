// Queue, LifoQueue, PriorityQueue, SimpleQueue: Python's queue module. Every message and
// behaviour here was checked against CPython 3.11's Lib/queue.py and _queue.
#include "helpers.hpp"

#include <atomic>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace threadlab;

namespace {
template <class Q> std::vector<int> drain(Q& queue) {
    std::vector<int> out;
    while (!queue.empty()) out.push_back(queue.get());
    return out;
}
} // namespace

// [SECTION] Order -------------------------------------------------------------------------------

TEST_CASE("Queue is FIFO, LifoQueue LIFO, PriorityQueue lowest first") {
    Queue<int> fifo;
    LifoQueue<int> lifo;
    PriorityQueue<int> priority;
    for (int x : {3, 1, 4, 1, 5, 9, 2, 6}) {
        fifo.put(x);
        lifo.put(x);
        priority.put(x);
    }
    CHECK(drain(fifo) == std::vector<int>{3, 1, 4, 1, 5, 9, 2, 6});
    CHECK(drain(lifo) == std::vector<int>{6, 2, 9, 5, 1, 4, 1, 3});
    CHECK(drain(priority) == std::vector<int>{1, 1, 2, 3, 4, 5, 6, 9});
}

TEST_CASE("PriorityQueue takes (priority, data) pairs and a Compare") {
    PriorityQueue<std::pair<int, std::string>> jobs;
    jobs.put({2, "write"});
    jobs.put({1, "read"});
    jobs.put({3, "close"});
    CHECK(jobs.get().second == "read");
    CHECK(jobs.get().second == "write");
    CHECK(jobs.get().second == "close");

    PriorityQueue<int, std::greater<int>> highest;
    for (int x : {3, 7, 5}) highest.put(x);
    CHECK(drain(highest) == std::vector<int>{7, 5, 3});
}

// [SECTION] Size --------------------------------------------------------------------------------

TEST_CASE("Queue.qsize, empty and full follow maxsize") {
    Queue<int> bounded(2);
    CHECK(bounded.maxsize() == 2);
    CHECK(bounded.qsize() == 0);
    CHECK(bounded.empty());
    CHECK_FALSE(bounded.full());
    bounded.put(1);
    CHECK(bounded.qsize() == 1);
    CHECK_FALSE(bounded.empty());
    CHECK_FALSE(bounded.full());
    bounded.put(2);
    CHECK(bounded.full());
    bounded.get();
    CHECK_FALSE(bounded.full());

    // maxsize <= 0: unbounded, never full.
    for (long long maxsize : {0LL, -3LL}) {
        Queue<int> unbounded(maxsize);
        for (int i = 0; i < 1000; ++i) unbounded.put_nowait(i);
        CHECK(unbounded.qsize() == 1000);
        CHECK_FALSE(unbounded.full());
    }
}

// [SECTION] Full and Empty ----------------------------------------------------------------------

TEST_CASE("Queue.put_nowait on a full queue raises Full, get_nowait on an empty one Empty") {
    Queue<int> queue(1);
    CHECK(raised([&] { queue.get_nowait(); }) == "Empty");
    queue.put_nowait(1);
    CHECK(raised([&] { queue.put_nowait(2); }) == "Full");
    // Without block the timeout is ignored, even a negative one (as in Python).
    CHECK(raised([&] { queue.put(2, false, -1.0); }) == "Full");
    CHECK(queue.qsize() == 1);
    CHECK(queue.unfinished_tasks() == 1);
    CHECK(queue.get_nowait() == 1);
    CHECK(raised([&] { queue.get(false, -1.0); }) == "Empty");
}

TEST_CASE("Empty and Full are Exceptions with no message, as queue.Empty and queue.Full") {
    try {
        Queue<int>().get_nowait();
        FAIL("nothing raised");
    } catch (const Exception& e) {
        CHECK(std::string(e.what()).empty());
        CHECK(std::string(e.type_name()) == "Empty");
    }
    Queue<int> full(1);
    full.put(0);
    CHECK_THROWS_AS(full.put_nowait(1), Full);
    CHECK_THROWS_AS(full.put_nowait(1), Exception);
}

// [SECTION] Blocking and timeouts ---------------------------------------------------------------

TEST_CASE("Queue.get with a timeout raises Empty after the timeout") {
    Queue<int> queue;
    Stopwatch watch;
    CHECK(raised([&] { queue.get(true, 0.2); }) == "Empty");
    CHECK_TOOK_ABOUT(watch, 0.2);
    Stopwatch zero;
    CHECK(raised([&] { queue.get(true, 0.0); }) == "Empty");
    CHECK(zero.elapsed() < 1.0);
}

TEST_CASE("Queue.put with a timeout on a full queue raises Full after the timeout") {
    Queue<int> queue(1);
    queue.put(1);
    Stopwatch watch;
    CHECK(raised([&] { queue.put(2, true, 0.2); }) == "Full");
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(raised([&] { queue.put(2, true, 0.0); }) == "Full");
    CHECK(queue.qsize() == 1);
}

TEST_CASE("Queue.get blocks until another thread puts") {
    Queue<int> queue;
    Thread producer{[&] {
        sleep(0.05);
        queue.put(42);
    }};
    producer.start();
    CHECK(queue.get(true, 30.0) == 42);
    producer.join();
}

TEST_CASE("Queue.put on a full queue blocks until a get makes room") {
    Queue<int> queue(2);
    queue.put(1);
    queue.put(2);
    std::atomic<bool> put_done{false};
    Thread producer{[&] {
        queue.put(3); // waits for room
        put_done = true;
    }};
    producer.start();
    sleep(0.1);
    CHECK_FALSE(put_done.load());
    CHECK(queue.qsize() == 2);
    CHECK(queue.get() == 1);
    producer.join(30);
    CHECK(put_done.load());
    CHECK(drain(queue) == std::vector<int>{2, 3});
}

TEST_CASE("Queue timeouts: negative raises ValueError, NaN ValueError, past TIMEOUT_MAX OverflowError") {
    const char* negative = "ValueError: 'timeout' must be a non-negative number";
    Queue<int> bounded(1);
    CHECK(raised([&] { bounded.get(true, -1.0); }) == negative);
    CHECK(raised([&] { bounded.put(1, true, -0.5); }) == negative); // checked even with room
    CHECK(bounded.empty());
    CHECK(raised([&] { bounded.get(true, NAN); }) == "ValueError: Invalid value NaN (not a number)");
    CHECK(raised([&] { bounded.get(true, INFINITY); }) == "OverflowError: timeout value is too large");
    CHECK(raised([&] { bounded.get(true, TIMEOUT_MAX * 2); }) == "OverflowError: timeout value is too large");
    bounded.put(1);
    CHECK(raised([&] { bounded.get(true, -1.0); }) == negative); // checked even with an item
    CHECK(raised([&] { bounded.put(2, true, NAN); }) == "ValueError: Invalid value NaN (not a number)");
    CHECK(raised([&] { bounded.put(2, true, INFINITY); }) == "OverflowError: timeout value is too large");
    // As Lib/queue.py: a timeout is only looked at when the call has to wait, so a get that finds
    // an item ignores a NaN; an unbounded put never waits and ignores its timeout altogether.
    CHECK(bounded.get(true, NAN) == 1);
    Queue<int> unbounded;
    unbounded.put(1, true, -1.0);
    unbounded.put(2, true, NAN);
    CHECK(unbounded.qsize() == 2);
}

// [SECTION] task_done and join ------------------------------------------------------------------

TEST_CASE("Queue.task_done called too many times raises ValueError") {
    Queue<int> queue;
    CHECK(raised([&] { queue.task_done(); }) == "ValueError: task_done() called too many times");
    queue.put(1);
    queue.put(2);
    CHECK(queue.unfinished_tasks() == 2);
    queue.get();
    queue.task_done();
    queue.task_done(); // before its get(): Python counts puts, not gets
    CHECK(queue.unfinished_tasks() == 0);
    CHECK(raised([&] { queue.task_done(); }) == "ValueError: task_done() called too many times");
    CHECK(queue.unfinished_tasks() == 0);
    CHECK(queue.qsize() == 1);
}

TEST_CASE("Queue.join returns once every item put is marked done") {
    Queue<int> queue;
    queue.join(); // nothing unfinished: returns at once
    const int items = 20;
    for (int i = 0; i < items; ++i) queue.put(i);
    std::atomic<int> done{0};
    Thread worker{[&] {
        for (int i = 0; i < items; ++i) {
            queue.get();
            sleep(0.002);
            ++done;
            queue.task_done();
        }
    }};
    worker.start();
    queue.join();
    CHECK(done.load() == items);
    CHECK(queue.unfinished_tasks() == 0);
    worker.join();
}

TEST_CASE("Queue.join wakes every joiner when the last task is done") {
    Queue<int> queue;
    queue.put(1);
    std::atomic<int> joined{0};
    std::vector<Thread> joiners;
    for (int i = 0; i < 3; ++i)
        joiners.emplace_back([&] {
            queue.join();
            ++joined;
        });
    for (auto& t : joiners) t.start();
    sleep(0.05);
    CHECK(joined.load() == 0);
    queue.get();
    queue.task_done();
    for (auto& t : joiners) t.join(30);
    CHECK(joined.load() == 3);
}

// [SECTION] Items -------------------------------------------------------------------------------

TEST_CASE("Queues hold move-only items") {
    Queue<std::unique_ptr<int>> fifo(2);
    fifo.put(std::make_unique<int>(1));
    auto two = std::make_unique<int>(2);
    fifo.put_nowait(std::move(two));
    CHECK(*fifo.get() == 1);
    CHECK(*fifo.get_nowait() == 2);

    LifoQueue<std::unique_ptr<int>> lifo;
    lifo.put(std::make_unique<int>(1));
    lifo.put(std::make_unique<int>(2));
    CHECK(*lifo.get() == 2);

    auto by_value = [](const std::unique_ptr<int>& a, const std::unique_ptr<int>& b) { return *a < *b; };
    PriorityQueue<std::unique_ptr<int>, decltype(by_value)> priority;
    for (int x : {5, 1, 3}) priority.put(std::make_unique<int>(x));
    CHECK(*priority.get() == 1);
    CHECK(*priority.get() == 3);

    SimpleQueue<std::unique_ptr<int>> simple;
    simple.put(std::make_unique<int>(7));
    CHECK(*simple.get() == 7);
}

TEST_CASE("Queue.put that raises Full leaves a move-only item with the caller") {
    Queue<std::unique_ptr<int>> queue(1);
    queue.put(std::make_unique<int>(1));
    auto item = std::make_unique<int>(2);
    CHECK(raised([&] { queue.put_nowait(std::move(item)); }) == "Full");
    CHECK(raised([&] { queue.put(std::move(item), true, 0.01); }) == "Full");
    REQUIRE(item != nullptr);
    CHECK(*item == 2);
    queue.get();
    queue.put_nowait(std::move(item));
    CHECK(item == nullptr);
    CHECK(*queue.get() == 2);
}

TEST_CASE("Queue with many producers and consumers delivers every item exactly once") {
    const int producers = 4, consumers = 4, per_producer = 2000;
    const int total = producers * per_producer;
    Queue<int> queue(16);
    std::vector<std::atomic<int>> seen(total);
    std::atomic<long long> sum{0};
    std::vector<Thread> producer_threads, consumer_threads;
    for (int p = 0; p < producers; ++p)
        producer_threads.emplace_back([&, p] {
            for (int k = 0; k < per_producer; ++k) queue.put(p * per_producer + k);
        });
    for (int c = 0; c < consumers; ++c)
        consumer_threads.emplace_back([&] {
            for (;;) {
                int item = queue.get();
                if (item < 0) break; // the sentinel
                seen[item].fetch_add(1);
                sum += item;
                queue.task_done();
            }
        });
    for (auto& t : consumer_threads) t.start();
    for (auto& t : producer_threads) t.start();
    // join() may return whenever the consumers catch up; once every put has returned it returns
    // only when every item is done.
    for (auto& t : producer_threads) t.join();
    queue.join();
    CHECK(queue.unfinished_tasks() == 0);
    for (int c = 0; c < consumers; ++c) queue.put(-1);
    for (auto& t : consumer_threads) t.join();
    int once = 0;
    for (auto& count : seen) once += count.load() == 1;
    CHECK(once == total);
    CHECK(sum.load() == static_cast<long long>(total) * (total - 1) / 2);
    CHECK(queue.empty());
}

// [SECTION] repr and SimpleQueue ----------------------------------------------------------------

TEST_CASE("Queue.repr and operator<< print CPython's repr") {
    Queue<int> fifo;
    LifoQueue<int> lifo;
    PriorityQueue<int> priority;
    SimpleQueue<int> simple;
    CHECK(matches(fifo.repr(), "<queue\\.Queue object at 0x[0-9a-f]+>"));
    CHECK(matches(lifo.repr(), "<queue\\.LifoQueue object at 0x[0-9a-f]+>"));
    CHECK(matches(priority.repr(), "<queue\\.PriorityQueue object at 0x[0-9a-f]+>"));
    CHECK(matches(simple.repr(), "<_queue\\.SimpleQueue object at 0x[0-9a-f]+>"));
    std::ostringstream out;
    out << fifo;
    CHECK(out.str() == fifo.repr());
}

TEST_CASE("SimpleQueue: put, get, qsize, empty, and its timeout checks") {
    SimpleQueue<int> queue;
    CHECK(queue.empty());
    CHECK(raised([&] { queue.get_nowait(); }) == "Empty");
    CHECK(raised([&] { queue.get(false, -1.0); }) == "Empty");
    Stopwatch watch;
    CHECK(raised([&] { queue.get(true, 0.2); }) == "Empty");
    CHECK_TOOK_ABOUT(watch, 0.2);
    queue.put(1);
    queue.put(2, true, -5.0); // put never blocks: block and timeout are ignored
    queue.put_nowait(3);
    CHECK(queue.qsize() == 3);
    // CPython's C SimpleQueue checks the timeout before it looks for an item.
    CHECK(raised([&] { queue.get(true, -1.0); }) == "ValueError: 'timeout' must be a non-negative number");
    CHECK(raised([&] { queue.get(true, NAN); }) == "ValueError: Invalid value NaN (not a number)");
    CHECK(raised([&] { queue.get(true, 1e10); }) == "OverflowError: timeout value is too large");
    CHECK(queue.get() == 1);
    CHECK(queue.get(true, 0.0) == 2);
    CHECK(queue.get_nowait() == 3);
    CHECK(queue.empty());

    Thread producer{[&] {
        sleep(0.05);
        queue.put(9);
    }};
    producer.start();
    CHECK(queue.get(true, 30.0) == 9);
    producer.join();
}
