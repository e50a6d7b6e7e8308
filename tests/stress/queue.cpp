// Queue, PriorityQueue, LifoQueue and SimpleQueue under contention: many producers and consumers
// on small bounded queues, every kind of put and get (blocking, timed, nowait), task_done/join
// rounds with several joiners at once.
//
// Every item must come out exactly once; a Queue must keep each producer's items in order as
// each consumer sees them (FIFO); every Payload moved through a queue must be destroyed.
#include "stress.hpp"

#include <cinttypes>
#include <memory>
#include <vector>

namespace stress {
namespace {

constexpr std::uint64_t sentinel = ~0ull;

// Put `item` in one of the ways Python code does, retrying after Full; counts the Full raised.
template <class Q> void put_somehow(Q& queue, typename Q::value_type item, Rng& rng, std::atomic<std::uint64_t>& full) {
    for (;;) {
        try {
            switch (rng.below(4)) {
            case 0: queue.put_nowait(std::move(item)); return;
            case 1: queue.put(std::move(item), true, rng.uniform() * 0.002); return;
            default: queue.put(std::move(item)); return;
            }
        } catch (const tl::Full&) {
            ++full; // a put that raises Full leaves the item with the caller, not moved from
        }
    }
}

// Get an item in one of the ways Python code does, retrying after Empty; counts the Empty raised.
template <class Q> auto get_somehow(Q& queue, Rng& rng, std::atomic<std::uint64_t>& empty) {
    for (;;) {
        try {
            switch (rng.below(4)) {
            case 0: return queue.get_nowait();
            case 1: return queue.get(true, rng.uniform() * 0.002);
            default: return queue.get();
            }
        } catch (const tl::Empty&) {
            ++empty;
        }
    }
}

void start_and_join(std::vector<tl::Thread>& threads) {
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
}

} // namespace

int queue() {
    auto& produced = counter("queue.produced");
    auto& consumed = counter("queue.consumed");
    auto& full = counter("queue.full_raised");
    auto& empty = counter("queue.empty_raised");

    // A: Queue<uint64_t>(8): producers and consumers, every item once, each producer's items in
    // order, join() returning only when every item is done.
    const int producers = 4, consumers = 4;
    const std::size_t items = scaled(200'000, 4000);
    {
        tl::Queue<std::uint64_t> q(8);
        std::vector<std::atomic<std::uint8_t>> seen(items);
        std::vector<tl::Thread> threads;
        for (int p = 0; p < producers; ++p)
            threads.emplace_back(tl::ThreadOptions{.name = tl::str("q-producer-", p)}, [&, p] {
                Rng rng = rng_for(100 + p);
                for (std::size_t id = p; id < items; id += producers) {
                    put_somehow(q, std::uint64_t{id}, rng, full);
                    ++produced;
                }
            });
        for (int c = 0; c < consumers; ++c)
            threads.emplace_back(tl::ThreadOptions{.name = tl::str("q-consumer-", c)}, [&, c] {
                Rng rng = rng_for(200 + c);
                std::vector<std::uint64_t> last(producers, sentinel);
                for (;;) {
                    std::uint64_t id = get_somehow(q, rng, empty);
                    if (id == sentinel) break;
                    STRESS_CHECK(id < items && seen[id].fetch_add(1) == 0, "Queue: item ", id, " delivered twice");
                    auto& previous = last[id % producers];
                    STRESS_CHECK(previous == sentinel || previous < id, "Queue: producer ", id % producers, "'s item ",
                                 id, " came after ", previous);
                    previous = id;
                    ++consumed;
                    q.task_done();
                }
                q.task_done(); // the sentinel
            });
        for (auto& t : threads) t.start();
        // join() from here while the items flow: it must not return before the last is done.
        while (produced.load() < items) {
            q.join();
            tl::sleep(0.001);
        }
        q.join();
        STRESS_CHECK(consumed.load() == items, "Queue: join() returned with ", consumed.load(), " of ", items, " done");
        for (int c = 0; c < consumers; ++c) q.put(sentinel);
        for (auto& t : threads) t.join();
        STRESS_CHECK(q.empty() && q.unfinished_tasks() == 0, "Queue: ", q.qsize(), " items, ", q.unfinished_tasks(),
                     " unfinished at the end");
    }

    // B: PriorityQueue and LifoQueue of Payloads (counted: none may leak or be copied away) and a
    // SimpleQueue of unique_ptrs, each with 3 producers and 3 consumers.
    const std::size_t items_b = scaled(50'000, 1000);
    auto by_id = [](const Payload& a, const Payload& b) { return a.id < b.id; };
    tl::PriorityQueue<Payload, decltype(by_id)> priority(4);
    tl::LifoQueue<Payload> lifo(4);
    tl::SimpleQueue<std::unique_ptr<Payload>> simple;
    std::vector<std::atomic<std::uint8_t>> seen_b(3 * items_b);
    std::vector<tl::Thread> threads;
    for (int p = 0; p < 3; ++p)
        threads.emplace_back(tl::ThreadOptions{.name = tl::str("pq-producer-", p)}, [&, p] {
            Rng rng = rng_for(300 + p);
            for (std::size_t k = p; k < items_b; k += 3) {
                put_somehow(priority, Payload(k, expected_value(k)), rng, full);
                put_somehow(lifo, Payload(items_b + k, expected_value(items_b + k)), rng, full);
                simple.put(std::make_unique<Payload>(2 * items_b + k, expected_value(2 * items_b + k)));
                produced += 3;
            }
        });
    for (int c = 0; c < 3; ++c)
        threads.emplace_back(tl::ThreadOptions{.name = tl::str("pq-consumer-", c)}, [&, c] {
            Rng rng = rng_for(400 + c);
            auto take = [&](std::uint64_t id, std::uint64_t value) {
                STRESS_CHECK(id < seen_b.size() && seen_b[id].fetch_add(1) == 0, "queue B: item ", id, " twice");
                STRESS_CHECK(value == expected_value(id), "queue B: item ", id, " carries a wrong value");
                ++consumed;
            };
            for (std::size_t k = c; k < items_b; k += 3) {
                Payload from_priority = get_somehow(priority, rng, empty);
                take(from_priority.id, from_priority.value);
                Payload from_lifo = get_somehow(lifo, rng, empty);
                take(from_lifo.id, from_lifo.value);
                std::unique_ptr<Payload> from_simple = get_somehow(simple, rng, empty);
                take(from_simple->id, from_simple->value);
            }
        });
    start_and_join(threads);
    STRESS_CHECK(priority.empty() && lifo.empty() && simple.empty(), "queue B: items left over");
    STRESS_CHECK(priority.unfinished_tasks() == items_b && lifo.unfinished_tasks() == items_b,
                 "queue B: unfinished_tasks counts every put");

    // C: task_done/join rounds: several joiners wait while workers mark items done; each joiner
    // must see every item of the round done when join() returns.
    const std::size_t rounds = scaled(500, 20), per_round = 64;
    auto& joins = counter("queue.joins_returned");
    tl::Queue<std::uint64_t> work;
    std::atomic<std::uint64_t> done{0};
    std::vector<tl::Thread> workers;
    for (int w = 0; w < 3; ++w)
        workers.emplace_back(tl::ThreadOptions{.name = tl::str("q-worker-", w)}, [&] {
            while (work.get() != sentinel) {
                ++done;
                work.task_done();
            }
        });
    for (auto& t : workers) t.start();
    for (std::size_t r = 1; r <= rounds; ++r) {
        for (std::size_t k = 0; k < per_round; ++k) work.put(k);
        std::vector<tl::Thread> joiners;
        for (int j = 0; j < 3; ++j)
            joiners.emplace_back(tl::ThreadOptions{.name = tl::str("q-joiner-", j)}, [&, r] {
                work.join();
                STRESS_CHECK(done.load() == r * per_round, "Queue.join returned with ", done.load(), " of ",
                             r * per_round, " done");
                ++joins;
            });
        start_and_join(joiners);
    }
    for (std::size_t w = 0; w < workers.size(); ++w) work.put(sentinel);
    for (auto& t : workers) t.join();
    bool refused = false;
    try {
        work.task_done(); // three sentinels were taken but never marked done: three may still go
        work.task_done();
        work.task_done();
        work.task_done();
    } catch (const tl::ValueError& e) {
        refused = std::string(e.what()) == "task_done() called too many times";
    }
    STRESS_CHECK(refused, "Queue.task_done past zero was not refused");

    std::printf("queue: %zu items through Queue(8) by %dx%d, %zu each through PriorityQueue(4), LifoQueue(4), "
                "SimpleQueue; produced=%" PRIu64 " consumed=%" PRIu64 " Full=%" PRIu64 " Empty=%" PRIu64
                "; %zu join rounds, joins=%" PRIu64 "\n",
                items, producers, consumers, items_b, produced.load(), consumed.load(), full.load(), empty.load(),
                rounds, joins.load());
    return 0;
}

} // namespace stress
