// The synchronisation primitives under contention: Lock, RLock, Condition, Semaphore,
// BoundedSemaphore, Event, Barrier, Timer and local<T>.
//
// Mutual exclusion is checked twice: an atomic "holder" that must be free on entry, and plain
// (non-atomic) data written inside the critical section, which ThreadSanitizer reports if the
// primitive ever lets two threads in at once or fails to order one holder before the next.
#include "stress.hpp"

#include <algorithm>
#include <cinttypes>
#include <deque>
#include <map>
#include <memory>
#include <thread>
#include <unordered_set>

namespace stress {
namespace {

// Start `n` Threads named "prefix-i" running fn(i), and join them all.
template <class F> void run_threads(const std::string& prefix, int n, F fn) {
    std::vector<tl::Thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back(tl::ThreadOptions{.name = tl::str(prefix, "-", i)}, fn, i);
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
}

// A critical section of varying length: now and then long enough, or descheduled (yield), for the
// other threads to pile up on the primitive and go down its slow, sleeping path.
void busy(Rng& rng) {
    switch (rng.below(32)) {
    case 0: std::this_thread::yield(); break;
    case 1:
    case 2:
        for (int spin = 0; spin < 256; ++spin) asm volatile("" ::: "memory"); // not optimised away
        break;
    default: break;
    }
}

template <class F> bool raises_runtime_error(F&& f, const char* message) {
    try {
        f();
    } catch (const tl::RuntimeError& e) {
        return std::string(e.what()) == message;
    }
    return false;
}

} // namespace

// [SECTION] Lock --------------------------------------------------------------------------------

int lock() {
    const int threads = 8;
    const std::size_t ops = scaled(100'000, 2000);
    tl::Lock lk;
    std::atomic<int> holder{0};
    std::uint64_t total = 0;                 // plain: written only while holding lk
    std::uint64_t per_thread[threads] = {};  // plain: written only while holding lk
    auto& acquired = counter("lock.acquired");
    auto& try_failed = counter("lock.try_failed");
    auto& timeouts = counter("lock.timed_out");
    run_threads("locker", threads, [&](int me) {
        Rng rng = rng_for(me);
        for (std::size_t k = 0; k < ops; ++k) {
            auto critical = [&] {
                int prev = holder.exchange(me + 1, std::memory_order_relaxed);
                STRESS_CHECK(prev == 0, "Lock: thread ", me, " entered while thread ", prev - 1, " was inside");
                STRESS_CHECK(lk.locked(), "Lock: locked() false while held");
                ++total;
                ++per_thread[me];
                busy(rng);
                holder.store(0, std::memory_order_relaxed);
                ++acquired;
            };
            switch (rng.below(10)) {
            case 7:
                if (lk.acquire(false)) {
                    critical();
                    lk.release();
                } else {
                    ++try_failed;
                }
                break;
            case 8:
                if (lk.acquire(true, rng.uniform() * 0.0005)) {
                    critical();
                    lk.release();
                } else {
                    ++timeouts;
                }
                break;
            case 9: {
                std::lock_guard guard(lk); // Python's `with lock:`
                critical();
                break;
            }
            default:
                STRESS_CHECK(lk.acquire(), "Lock: blocking acquire returned false");
                critical();
                lk.release();
            }
        }
    });
    std::uint64_t sum = 0;
    for (auto n : per_thread) sum += n;
    STRESS_CHECK(total == acquired.load() && sum == total, "Lock: ", total, " entries, ", acquired.load(), " counted");
    STRESS_CHECK(!lk.locked(), "Lock: still locked at the end");
    STRESS_CHECK(raises_runtime_error([&] { lk.release(); }, "release unlocked lock"), "Lock: release unlocked");

    // Hand-off: a Lock released by a thread that did not acquire it (a binary semaphore).
    const std::size_t turns = scaled(50'000, 1000);
    auto& handoffs = counter("lock.handoffs");
    tl::Lock a_turn, b_turn;
    a_turn.acquire();
    b_turn.acquire();
    std::uint64_t turn = 0; // plain: ordered only by the hand-off
    tl::Thread a({.name = "handoff-a"}, [&] {
        for (std::size_t k = 0; k < turns; ++k) {
            a_turn.acquire();
            STRESS_CHECK(turn == 2 * k, "hand-off: A saw turn ", turn, " at ", k);
            ++turn;
            ++handoffs;
            b_turn.release();
        }
    });
    tl::Thread b({.name = "handoff-b"}, [&] {
        for (std::size_t k = 0; k < turns; ++k) {
            b_turn.acquire();
            STRESS_CHECK(turn == 2 * k + 1, "hand-off: B saw turn ", turn, " at ", k);
            ++turn;
            ++handoffs;
            a_turn.release();
        }
    });
    a.start();
    b.start();
    a_turn.release();
    a.join();
    b.join();
    STRESS_CHECK(turn == 2 * turns, "hand-off: ", turn, " turns of ", 2 * turns);
    STRESS_CHECK(!a_turn.locked() && b_turn.locked(), "hand-off: final lock states");
    b_turn.release();
    std::printf("lock: %d threads x %zu ops: acquired=%" PRIu64 " try-failed=%" PRIu64 " timed-out=%" PRIu64
                "; hand-off turns=%" PRIu64 "\n",
                threads, ops, acquired.load(), try_failed.load(), timeouts.load(), handoffs.load());
    return 0;
}

// [SECTION] RLock -------------------------------------------------------------------------------

int rlock() {
    const int threads = 8;
    const std::size_t ops = scaled(50'000, 1000);
    tl::RLock rl;
    std::atomic<int> holder{0};
    std::uint64_t total = 0; // plain, under rl
    auto& outer = counter("rlock.outer_acquired");
    auto& nested = counter("rlock.nested_acquired");
    auto& failed = counter("rlock.try_or_timeout_failed");
    auto& refused = counter("rlock.release_by_non_owner_refused");
    run_threads("rlocker", threads, [&](int me) {
        Rng rng = rng_for(me);
        for (std::size_t k = 0; k < ops; ++k) {
            if (rng.below(100) == 0) {
                // Releasing an RLock this thread does not own: refused, whoever holds it.
                if (raises_runtime_error([&] { rl.release(); }, "cannot release un-acquired lock")) ++refused;
                else fail(__FILE__, __LINE__, "RLock: a non-owner's release() was not refused");
            }
            bool got;
            switch (rng.below(6)) {
            case 0: got = rl.acquire(false); break;
            case 1: got = rl.acquire(true, rng.uniform() * 0.0005); break;
            default: got = rl.acquire();
            }
            if (!got) {
                ++failed;
                continue;
            }
            int prev = holder.exchange(me + 1, std::memory_order_relaxed);
            STRESS_CHECK(prev == 0, "RLock: thread ", me, " entered while thread ", prev - 1, " held it");
            ++outer;
            int depth = static_cast<int>(rng.between(0, 4));
            for (int d = 0; d < depth; ++d) {
                bool again = d % 2 ? rl.acquire(false) : rl.acquire(true, 0.001);
                STRESS_CHECK(again, "RLock: the owner could not re-acquire it");
                STRESS_CHECK(rl.is_owned(), "RLock: is_owned() false for the owner");
                ++nested;
                ++total;
            }
            busy(rng);
            for (int d = 0; d < depth; ++d) {
                rl.release();
                STRESS_CHECK(holder.load(std::memory_order_relaxed) == me + 1, "RLock: lost ownership while nested");
            }
            ++total;
            holder.store(0, std::memory_order_relaxed);
            rl.release();
        }
    });
    STRESS_CHECK(total == outer.load() + nested.load(), "RLock: ", total, " != ", outer.load(), " + ", nested.load());
    STRESS_CHECK(!rl.locked(), "RLock: still locked at the end");
    std::printf("rlock: %d threads x %zu ops: outer=%" PRIu64 " nested=%" PRIu64 " try/timeout failed=%" PRIu64
                " non-owner releases refused=%" PRIu64 "\n",
                threads, ops, outer.load(), nested.load(), failed.load(), refused.load());
    return 0;
}

// [SECTION] Condition ---------------------------------------------------------------------------

int condition() {
    auto& produced = counter("condition.produced");
    auto& consumed = counter("condition.consumed");
    auto& timeouts = counter("condition.wait_timed_out");
    auto& notifies = counter("condition.notify_calls");
    auto& notify_alls = counter("condition.notify_all_calls");
    auto& waits = counter("condition.waits");

    // A: a bounded buffer with two Conditions over one Lock (not_full, not_empty).
    {
        const int producers = 3, consumers = 3;
        const std::size_t capacity = 8;
        const std::size_t items = scaled(200'000, 4000);
        tl::Lock lk;
        tl::Condition not_full(lk), not_empty(lk);
        std::deque<std::uint64_t> buffer;       // under lk
        std::vector<std::uint8_t> seen(items);  // under lk
        int producers_left = producers;         // under lk
        std::vector<tl::Thread> threads;
        for (int p = 0; p < producers; ++p)
            threads.emplace_back(tl::ThreadOptions{.name = tl::str("cv-producer-", p)}, [&, p] {
                Rng rng = rng_for(100 + p);
                for (std::size_t id = p; id < items; id += producers) {
                    std::lock_guard guard(lk);
                    while (buffer.size() >= capacity) {
                        ++waits;
                        bool woke = rng.chance(0.5) ? not_full.wait() : not_full.wait(rng.uniform() * 0.002);
                        if (!woke) ++timeouts;
                    }
                    buffer.push_back(id);
                    STRESS_CHECK(buffer.size() <= capacity, "Condition: buffer over capacity");
                    ++produced;
                    switch (rng.below(8)) {
                    case 0: not_empty.notify_all(); ++notify_alls; break;
                    case 1: not_empty.notify(2); ++notifies; break;
                    default: not_empty.notify(); ++notifies;
                    }
                }
                std::lock_guard guard(lk);
                if (--producers_left == 0) {
                    not_empty.notify_all();
                    ++notify_alls;
                }
            });
        for (int c = 0; c < consumers; ++c)
            threads.emplace_back(tl::ThreadOptions{.name = tl::str("cv-consumer-", c)}, [&, c] {
                Rng rng = rng_for(200 + c);
                for (;;) {
                    std::lock_guard guard(lk);
                    auto ready = [&] { return !buffer.empty() || producers_left == 0; };
                    int how = static_cast<int>(rng.below(10));
                    if (how < 5) {
                        while (!ready()) {
                            ++waits;
                            not_empty.wait();
                        }
                    } else if (how < 8) {
                        while (!ready()) {
                            ++waits;
                            if (!not_empty.wait(rng.uniform() * 0.002)) ++timeouts;
                        }
                    } else {
                        ++waits;
                        if (!not_empty.wait_for(ready, rng.uniform() * 0.002)) {
                            ++timeouts;
                            continue;
                        }
                    }
                    if (buffer.empty()) break; // producers done and nothing left
                    std::uint64_t id = buffer.front();
                    buffer.pop_front();
                    STRESS_CHECK(id < items && seen[id] == 0, "Condition: item ", id, " consumed twice");
                    if (id < items) seen[id] = 1;
                    ++consumed;
                    if (rng.chance(0.2)) {
                        not_full.notify_all();
                        ++notify_alls;
                    } else {
                        not_full.notify();
                        ++notifies;
                    }
                }
            });
        for (auto& t : threads) t.start();
        for (auto& t : threads) t.join();
        STRESS_CHECK(consumed.load() == items && produced.load() == items, "Condition: produced ", produced.load(),
                     " consumed ", consumed.load(), " of ", items);
        STRESS_CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(items), "Condition: items lost");
    }

    // B: one Condition over its own RLock, held recursively while waiting (wait() must release
    // every level and restore them).
    const std::size_t items_b = scaled(50'000, 1000);
    auto& recursive_waits = counter("condition.recursive_waits");
    {
        tl::Condition cv;
        std::deque<std::uint64_t> buffer; // under cv
        std::uint64_t taken = 0;          // under cv
        bool done = false;                // under cv
        std::vector<tl::Thread> threads;
        for (int p = 0; p < 2; ++p)
            threads.emplace_back(tl::ThreadOptions{.name = tl::str("rcv-producer-", p)}, [&, p] {
                Rng rng = rng_for(300 + p);
                for (std::size_t k = p; k < items_b; k += 2) {
                    cv.acquire();
                    cv.acquire(); // recursion level 2
                    while (buffer.size() >= 4) {
                        ++recursive_waits;
                        cv.wait(0.002);
                    }
                    buffer.push_back(k);
                    cv.notify_all();
                    cv.release();
                    cv.release();
                    if (rng.below(64) == 0)
                        STRESS_CHECK(raises_runtime_error([&] { cv.release(); }, "cannot release un-acquired lock"),
                                     "Condition(RLock): release after the last level was not refused");
                }
            });
        for (int c = 0; c < 2; ++c)
            threads.emplace_back(tl::ThreadOptions{.name = tl::str("rcv-consumer-", c)}, [&] {
                for (;;) {
                    std::lock_guard guard(cv);
                    cv.wait_for([&] { return !buffer.empty() || done; }, 0.002);
                    if (buffer.empty()) {
                        if (done) break;
                        continue;
                    }
                    buffer.pop_front();
                    ++taken;
                    cv.notify_all();
                }
            });
        for (auto& t : threads) t.start();
        threads[0].join();
        threads[1].join();
        {
            std::lock_guard guard(cv);
            done = true;
            cv.notify_all();
        }
        threads[2].join();
        threads[3].join();
        STRESS_CHECK(taken == items_b && buffer.empty(), "Condition(RLock): took ", taken, " of ", items_b);
    }
    std::printf("condition: items=%" PRIu64 " (bounded buffer, 3+3 threads) + %zu (RLock, recursive); waits=%" PRIu64
                " timed-out=%" PRIu64 " notify=%" PRIu64 " notify_all=%" PRIu64 " recursive waits=%" PRIu64 "\n",
                consumed.load(), items_b, waits.load(), timeouts.load(), notifies.load(), notify_alls.load(),
                recursive_waits.load());
    return 0;
}

// [SECTION] Semaphore ---------------------------------------------------------------------------

namespace {
// Threads take permits (blocking, non-blocking, timed; sometimes two at once, given back with
// release(2)); the number of holders must never exceed the semaphore's value.
void semaphore_load(tl::Semaphore& sem, long long value, int threads, std::size_t ops, const std::string& name) {
    std::atomic<long long> in_use{0}, max_in_use{0};
    auto& acquired = counter(name + ".acquired");
    auto& failed = counter(name + ".try_or_timeout_failed");
    auto& doubles = counter(name + ".release_2");
    auto enter = [&](int n) {
        long long now = in_use.fetch_add(n) + n;
        STRESS_CHECK(now <= value, name, ": ", now, " holders of a semaphore of ", value);
        long long seen = max_in_use.load();
        while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
        }
        acquired += n;
    };
    run_threads(name, threads, [&](int me) {
        Rng rng = rng_for(me);
        for (std::size_t k = 0; k < ops; ++k) {
            bool got;
            switch (rng.below(10)) {
            case 0:
            case 1: got = sem.acquire(false); break;
            case 2:
            case 3: got = sem.acquire(true, rng.uniform() * 0.0005); break;
            default: got = sem.acquire();
            }
            if (!got) {
                ++failed;
                continue;
            }
            enter(1);
            if (rng.chance(0.1) && sem.acquire(true, 0.0002)) {
                enter(1);
                busy(rng);
                in_use -= 2;
                sem.release(2);
                ++doubles;
            } else {
                busy(rng);
                --in_use;
                sem.release();
            }
        }
    });
    STRESS_CHECK(in_use.load() == 0 && sem.value() == value, name, ": value ", sem.value(), " at the end, not ", value);
    std::printf("%s: %d threads x %zu ops on value %lld: acquired=%" PRIu64 " failed=%" PRIu64 " release(2)=%" PRIu64
                " max holders=%lld\n",
                name.c_str(), threads, ops, value, acquired.load(), failed.load(), doubles.load(), max_in_use.load());
}
} // namespace

int semaphore() {
    tl::Semaphore sem(3);
    semaphore_load(sem, 3, 8, scaled(100'000, 2000), "semaphore");
    // `with sem:` through std::lock_guard
    {
        std::lock_guard guard(sem);
        STRESS_CHECK(sem.value() == 2, "Semaphore: lock_guard did not take a permit");
    }
    STRESS_CHECK(sem.value() == 3, "Semaphore: lock_guard did not give it back");
    return 0;
}

int bounded_semaphore() {
    const long long value = 4;
    const int threads = 6;
    tl::BoundedSemaphore sem(value);
    semaphore_load(sem, value, 8, scaled(50'000, 1000), "bounded_semaphore");

    // Rounds: legitimate use, then a storm of releases nobody acquired for. Every one of those must
    // be refused (ValueError) and the value must stay at its bound; the barrier's action checks it
    // while every thread is stopped.
    const std::size_t rounds = scaled(1500, 60);
    auto& refused = counter("bounded_semaphore.over_releases_refused");
    auto& legit = counter("bounded_semaphore.round_acquires");
    auto& checked = counter("bounded_semaphore.rounds_checked");
    tl::Barrier settled(threads, [&] {
        STRESS_CHECK(sem.value() == value, "BoundedSemaphore: value ", sem.value(), " after an over-release storm");
        ++checked;
    });
    run_threads("bsem-storm", threads, [&](int me) {
        Rng rng = rng_for(500 + me);
        for (std::size_t r = 0; r < rounds; ++r) {
            for (int k = 0; k < 8; ++k) {
                if (!sem.acquire(true, 1.0)) continue;
                ++legit;
                sem.release();
            }
            settled.wait(); // nobody holds a permit now
            try {
                sem.release(rng.chance(0.2) ? 2 : 1);
                fail(__FILE__, __LINE__, "BoundedSemaphore: released above its initial value");
            } catch (const tl::ValueError& e) {
                STRESS_CHECK(std::string(e.what()) == "Semaphore released too many times", "message: ", e.what());
                ++refused;
            }
            settled.wait(); // the action checks the value with everyone stopped
        }
    });
    STRESS_CHECK(refused.load() == rounds * threads, "BoundedSemaphore: ", refused.load(), " refusals of ",
                 rounds * threads);
    STRESS_CHECK(checked.load() == 2 * rounds, "BoundedSemaphore: barrier action ran ", checked.load(), " times");
    std::printf("bounded_semaphore: %zu storm rounds x %d threads: over-releases refused=%" PRIu64
                " legit acquires=%" PRIu64 " value checks=%" PRIu64 "\n",
                rounds, threads, refused.load(), legit.load(), checked.load());
    return 0;
}

// [SECTION] Event -------------------------------------------------------------------------------

int event() {
    // A: gated rounds. The coordinator clears the gate, lets the waiters line up (a Barrier), then
    // sets it; each waiter must see the round it was let through for, never an earlier one.
    const int waiters = 6;
    const std::size_t rounds = scaled(3000, 100);
    tl::Event gate;
    tl::Barrier line_up(waiters + 1);
    tl::Semaphore arrived(0);
    std::atomic<std::uint64_t> round_open{0};
    auto& passes = counter("event.gate_passes");
    auto& gate_timeouts = counter("event.gate_wait_timeouts");
    std::vector<tl::Thread> threads;
    for (int w = 0; w < waiters; ++w)
        threads.emplace_back(tl::ThreadOptions{.name = tl::str("gate-waiter-", w)}, [&, w] {
            Rng rng = rng_for(600 + w);
            for (std::size_t r = 1; r <= rounds; ++r) {
                line_up.wait();
                if (rng.chance(0.7)) {
                    STRESS_CHECK(gate.wait(), "Event: wait() without timeout returned False");
                } else {
                    while (!gate.wait(rng.uniform() * 0.0005)) ++gate_timeouts;
                }
                STRESS_CHECK(round_open.load() == r, "Event: waiter ", w, " passed in round ", r,
                             " while round ", round_open.load(), " was open");
                ++passes;
                arrived.release();
            }
        });
    for (auto& t : threads) t.start();
    for (std::size_t r = 1; r <= rounds; ++r) {
        gate.clear();
        line_up.wait();
        round_open = r;
        gate.set();
        for (int w = 0; w < waiters; ++w) arrived.acquire();
    }
    for (auto& t : threads) t.join();
    STRESS_CHECK(passes.load() == rounds * waiters, "Event: ", passes.load(), " passes of ", rounds * waiters);

    // B: set/clear storms while others wait with timeouts; at the end one set() frees everyone.
    const std::size_t toggles = scaled(100'000, 2000);
    tl::Event storm;
    std::atomic<bool> stop{false};
    auto& sets = counter("event.storm_sets");
    auto& clears = counter("event.storm_clears");
    auto& woke = counter("event.storm_waits_true");
    auto& timed_out = counter("event.storm_waits_false");
    std::vector<tl::Thread> storm_threads;
    for (int w = 0; w < 4; ++w)
        storm_threads.emplace_back(tl::ThreadOptions{.name = tl::str("storm-waiter-", w)}, [&, w] {
            Rng rng = rng_for(700 + w);
            while (!stop.load()) {
                if (storm.wait(rng.uniform() * 0.0001)) ++woke;
                else ++timed_out;
                (void)storm.is_set();
            }
            STRESS_CHECK(storm.wait(), "Event: final wait() returned False");
        });
    for (auto& t : storm_threads) t.start();
    run_threads("storm-toggler", 3, [&](int me) {
        Rng rng = rng_for(800 + me);
        for (std::size_t k = 0; k < toggles / 3; ++k) {
            if (rng.chance(0.5)) {
                storm.set();
                ++sets;
            } else {
                storm.clear();
                ++clears;
            }
        }
    });
    storm.set();
    stop = true;
    for (auto& t : storm_threads) t.join();
    std::printf("event: %zu gated rounds x %d waiters: passes=%" PRIu64 " timed waits that expired=%" PRIu64
                "; storm: set=%" PRIu64 " clear=%" PRIu64 " waits true=%" PRIu64 " false=%" PRIu64 "\n",
                rounds, waiters, passes.load(), gate_timeouts.load(), sets.load(), clears.load(), woke.load(),
                timed_out.load());
    return 0;
}

// [SECTION] Barrier -----------------------------------------------------------------------------

int barrier() {
    // A: many rounds; the action bumps a plain generation counter that every party then reads.
    const int parties = 6;
    const std::size_t rounds = scaled(20'000, 500);
    std::uint64_t generation = 0; // plain: written by the action, read after wait()
    std::vector<std::atomic<std::uint32_t>> masks(rounds);
    auto& trips = counter("barrier.trips");
    auto& waits = counter("barrier.waits");
    tl::Barrier b(parties, [&] {
        ++generation;
        ++trips;
    });
    run_threads("party", parties, [&](int me) {
        for (std::size_t r = 0; r < rounds; ++r) {
            long long index = b.wait();
            ++waits;
            STRESS_CHECK(index >= 0 && index < parties, "Barrier: index ", index);
            STRESS_CHECK(generation == r + 1, "Barrier: party ", me, " in round ", r, " saw generation ", generation);
            masks[r].fetch_or(1u << index);
            long long n = b.n_waiting();
            STRESS_CHECK(n >= 0 && n < parties, "Barrier: n_waiting ", n);
        }
    });
    for (std::size_t r = 0; r < rounds; ++r)
        STRESS_CHECK(masks[r].load() == (1u << parties) - 1, "Barrier: round ", r, " indices ", masks[r].load());
    STRESS_CHECK(trips.load() == rounds && !b.broken(), "Barrier: ", trips.load(), " trips of ", rounds);

    // B: abort() and reset() from a disruptor, and wait() timeouts, while the parties keep waiting.
    // Every wait ends (an index or BrokenBarrierError), nothing hangs, and afterwards reset() makes
    // the barrier whole again.
    const int parties_b = 5;
    const std::size_t attempts = scaled(3000, 100);
    const double time_limit = default_scale < 1 ? 20 : 6;
    std::atomic<std::uint64_t> trips_b{0};
    tl::Barrier c(parties_b, [&] { ++trips_b; });
    auto& ok_b = counter("barrier.abort_phase.passed");
    auto& broken_b = counter("barrier.abort_phase.broken");
    auto& aborts = counter("barrier.abort_phase.aborts");
    auto& resets = counter("barrier.abort_phase.resets");
    std::atomic<int> parties_left{parties_b};
    tl::Thread disruptor({.name = "barrier-disruptor"}, [&] {
        Rng rng = rng_for(900);
        while (parties_left.load() > 0) {
            tl::sleep(rng.uniform() * 0.002);
            if (rng.chance(0.5)) {
                c.abort();
                ++aborts;
                tl::sleep(rng.uniform() * 0.0005);
            }
            c.reset();
            ++resets;
        }
    });
    disruptor.start();
    double start = tl::perf_counter();
    run_threads("party-b", parties_b, [&](int me) {
        Rng rng = rng_for(1000 + me);
        for (std::size_t k = 0; k < attempts && tl::perf_counter() - start < time_limit; ++k) {
            try {
                long long index = c.wait(0.001 + rng.uniform() * 0.004);
                STRESS_CHECK(index >= 0 && index < parties_b, "Barrier: index ", index);
                ++ok_b;
            } catch (const tl::BrokenBarrierError&) {
                ++broken_b;
                if (rng.chance(0.1)) {
                    c.reset();
                    ++resets;
                }
            }
        }
        --parties_left;
    });
    disruptor.join();
    STRESS_CHECK(ok_b.load() <= trips_b.load() * parties_b, "Barrier: ", ok_b.load(), " passes for ", trips_b.load(),
                 " trips");
    c.reset();
    STRESS_CHECK(!c.broken() && c.n_waiting() == 0, "Barrier: not whole after reset()");
    std::atomic<std::uint32_t> final_mask{0};
    run_threads("party-final", parties_b, [&](int) {
        try {
            final_mask.fetch_or(1u << c.wait(30.0));
        } catch (const tl::BrokenBarrierError&) {
            fail(__FILE__, __LINE__, "Barrier: broken in the final round after reset()");
        }
    });
    STRESS_CHECK(final_mask.load() == (1u << parties_b) - 1, "Barrier: final round indices ", final_mask.load());
    std::printf("barrier: %zu rounds x %d parties: trips=%" PRIu64 " waits=%" PRIu64
                "; abort/reset phase (%d parties): passed=%" PRIu64 " broken=%" PRIu64 " trips=%" PRIu64
                " aborts=%" PRIu64 " resets=%" PRIu64 "\n",
                rounds, parties, trips.load(), waits.load(), parties_b, ok_b.load(), broken_b.load(), trips_b.load(),
                aborts.load(), resets.load());
    return 0;
}

// [SECTION] Timer -------------------------------------------------------------------------------

int timer() {
    const std::size_t total = scaled(4000, 200);
    const std::size_t wave = 50;
    auto& fired = counter("timer.fired");
    auto& cancelled_before = counter("timer.cancelled_before_start");
    auto& cancelled_after = counter("timer.cancelled_after_start");
    auto& late_cancels_that_won = counter("timer.cancels_that_stopped_it");
    auto& started = counter("timer.started");
    std::atomic<std::uint64_t> early{0};
    for (std::size_t first = 0; first < total; first += wave) {
        std::size_t n = std::min(wave, total - first);
        struct Slot {
            std::atomic<int> fired{0};
            double started_at = 0;
            double interval = 0;
            int plan = 0; // 0 let it fire, 1 cancel before start, 2 cancel after start
        };
        std::vector<Slot> slots(n);
        std::vector<tl::Timer> timers;
        Rng rng = rng_for(first);
        for (std::size_t i = 0; i < n; ++i) {
            Slot& s = slots[i];
            s.interval = rng.chance(0.1) ? 0.0 : rng.uniform() * 0.005;
            s.plan = static_cast<int>(rng.below(10) < 4 ? 0 : rng.below(2) + 1);
            timers.emplace_back(s.interval, [&s, &early] {
                double waited = tl::perf_counter() - s.started_at;
                if (waited < s.interval - 0.0002) ++early;
                ++s.fired;
            });
        }
        for (std::size_t i = 0; i < n; ++i) {
            Slot& s = slots[i];
            if (s.plan == 1) {
                timers[i].cancel();
                ++cancelled_before;
            }
            s.started_at = tl::perf_counter();
            timers[i].start();
            ++started;
            if (s.plan == 2) {
                if (rng.chance(0.5)) tl::sleep(rng.uniform() * 0.002);
                timers[i].cancel();
                ++cancelled_after;
            }
        }
        for (auto& t : timers) t.join();
        for (std::size_t i = 0; i < n; ++i) {
            Slot& s = slots[i];
            int f = s.fired.load();
            STRESS_CHECK(f <= 1, "Timer ", first + i, " fired ", f, " times");
            STRESS_CHECK(!timers[i].is_alive(), "Timer ", first + i, " alive after join");
            if (s.plan == 0) STRESS_CHECK(f == 1, "Timer ", first + i, " never fired");
            if (s.plan == 1) STRESS_CHECK(f == 0, "Timer ", first + i, " fired although cancelled before start");
            if (s.plan == 2 && f == 0) ++late_cancels_that_won;
            fired += f;
        }
    }
    STRESS_CHECK(early.load() == 0, "Timer: ", early.load(), " fired before their interval");
    std::printf("timer: started=%" PRIu64 " fired=%" PRIu64 " cancelled before start=%" PRIu64
                " cancelled after start=%" PRIu64 " (of which stopped in time %" PRIu64 ") early=%" PRIu64 "\n",
                started.load(), fired.load(), cancelled_before.load(), cancelled_after.load(),
                late_cancels_that_won.load(), early.load());
    return 0;
}

// [SECTION] local<T> ----------------------------------------------------------------------------

namespace {
struct Tagged {
    static std::atomic<long> live;
    std::thread::id owner = std::this_thread::get_id(); // made by the first access, in that thread
    std::uint64_t value = 0;
    Tagged() { ++live; }
    Tagged(const Tagged& o) : owner(o.owner), value(o.value) { ++live; }
    Tagged(Tagged&& o) noexcept : owner(o.owner), value(o.value) { ++live; }
    ~Tagged() { --live; }
};
std::atomic<long> Tagged::live{0};
} // namespace

int local() {
    auto& accesses = counter("local.accesses");
    auto& threads_run = counter("local.threads");
    // A: waves of threads, each using two locals; a thread must only ever see its own values, and
    // they must die with it (a new thread may get the dead thread's TLS address: no crossing over).
    const std::size_t waves = scaled(60, 6);
    const int per_wave = 8;
    const std::size_t ops = scaled(20'000, 500);
    {
        tl::local<Tagged> first;
        tl::local<Tagged> second([] {
            Tagged t;
            t.value = 1'000'000;
            return t;
        });
        for (std::size_t w = 0; w < waves; ++w) {
            run_threads(tl::str("local-w", w), per_wave, [&](int me) {
                Rng rng = rng_for(w * 64 + me);
                auto self = std::this_thread::get_id();
                std::uint64_t mine[2] = {0, 1'000'000};
                for (std::size_t k = 0; k < ops; ++k) {
                    int which = static_cast<int>(rng.below(2));
                    Tagged& t = which ? *second : *first;
                    STRESS_CHECK(t.owner == self, "local: thread ", me, " of wave ", w, " got another thread's value");
                    STRESS_CHECK(t.value == mine[which], "local: value ", t.value, " expected ", mine[which]);
                    t.value = ++mine[which];
                    ++accesses;
                    if (rng.below(256) == 0) std::this_thread::yield();
                }
                ++threads_run;
            });
            STRESS_CHECK(Tagged::live.load() == 0, "local: ", Tagged::live.load(), " values alive after wave ", w);
        }
    }

    // B: a local<T> destroyed while its threads still run: their values die with it, at once.
    {
        const int n = 8;
        auto loc = std::make_unique<tl::local<Tagged>>();
        tl::Semaphore touched(0);
        tl::Event go_on;
        std::vector<tl::Thread> threads;
        for (int i = 0; i < n; ++i)
            threads.emplace_back(tl::ThreadOptions{.name = tl::str("local-outlives-", i)}, [&, i] {
                (*loc)->value = static_cast<std::uint64_t>(i);
                touched.release();
                go_on.wait();
            });
        for (auto& t : threads) t.start();
        for (int i = 0; i < n; ++i) touched.acquire();
        STRESS_CHECK(Tagged::live.load() == n, "local: ", Tagged::live.load(), " values for ", n, " threads");
        loc.reset();
        STRESS_CHECK(Tagged::live.load() == 0, "local: values outlived their local (", Tagged::live.load(), ")");
        go_on.set();
        for (auto& t : threads) t.join();
        threads_run += n;
    }

    // C: pool workers: each task sees its worker's value, never another worker's. Every worker's
    // private counter must then have counted 1, 2, 3, ... without a gap or a repeat.
    const std::size_t tasks = scaled(20'000, 500);
    std::size_t workers_seen = 0;
    {
        tl::local<Tagged> per_worker;
        using Seen = std::pair<std::thread::id, std::uint64_t>;
        std::vector<tl::Future<Seen>> futures;
        {
            tl::ThreadPoolExecutor pool({.max_workers = 4, .thread_name_prefix = "local-pool"});
            for (std::size_t k = 0; k < tasks; ++k)
                futures.push_back(pool.submit([&per_worker, &accesses] {
                    Tagged& t = *per_worker;
                    STRESS_CHECK(t.owner == std::this_thread::get_id(), "local: a task saw another worker's value");
                    ++accesses;
                    return Seen{t.owner, ++t.value};
                }));
        }
        std::map<std::thread::id, std::vector<std::uint64_t>> by_worker;
        for (auto& f : futures) {
            Seen s = f.result();
            by_worker[s.first].push_back(s.second);
        }
        for (auto& [owner, values] : by_worker) {
            std::sort(values.begin(), values.end());
            for (std::size_t i = 0; i < values.size(); ++i)
                STRESS_CHECK(values[i] == i + 1, "local: a worker's counter went ", values[i], " at step ", i + 1);
        }
        workers_seen = by_worker.size();
        STRESS_CHECK(workers_seen >= 1 && workers_seen <= 4, "local: ", workers_seen, " workers for a pool of 4");
    }
    STRESS_CHECK(Tagged::live.load() == 0, "local: ", Tagged::live.load(), " values alive at the end");
    std::printf("local: threads=%" PRIu64 " accesses=%" PRIu64 " (two locals in %zu waves of %d; one destroyed "
                "under %d live threads; %zu pool tasks on %zu workers)\n",
                threads_run.load(), accesses.load(), waves, per_wave, 8, tasks, workers_seen);
    return 0;
}

} // namespace stress

namespace stress {

// [SECTION] Thread churn ------------------------------------------------------------------------

// Threads started and ended by several spawners at once, each joined by two threads (one with a
// timeout), while observers walk enumerate() and read every thread's name, ident, native_id,
// daemon and repr; some targets raise, and a counting excepthook (swapped while threads run)
// must see each of those exactly once, with the right thread.
int thread_churn() {
    const int spawners = 4;
    const std::size_t per_spawner = scaled(1500, 60);
    auto& started = counter("threads.started");
    auto& joined = counter("threads.joined");
    auto& timed_joins = counter("threads.join_timeouts_expired");
    auto& raised = counter("threads.targets_raised");
    auto& hooked = counter("threads.excepthook_calls");
    auto& observed = counter("threads.observed_in_enumerate");
    auto& ran = counter("threads.targets_ran");
    auto& in_start = counter("threads.listed_before_ident");
    std::size_t baseline = tl::active_count();
    std::atomic<bool> stop{false};
    auto hook = [&hooked](const tl::ExceptHookArgs& args) {
        ++hooked;
        try {
            std::rethrow_exception(args.exc_value);
        } catch (const InjectedFault& e) {
            STRESS_CHECK(args.thread && args.thread->name() == tl::str("churn-", e.id),
                         "excepthook: fault ", e.id, " reported for thread ",
                         args.thread ? args.thread->name() : std::string("None"));
        } catch (...) {
            fail(__FILE__, __LINE__, "excepthook: unexpected exception " + args.exc_type);
        }
    };
    tl::excepthook = hook;
    std::vector<tl::Thread> observers;
    for (int o = 0; o < 2; ++o)
        observers.emplace_back(tl::ThreadOptions{.name = tl::str("observer-", o), .daemon = true}, [&, o] {
            Rng rng = rng_for(1100 + o);
            while (!stop.load()) {
                for (auto& t : tl::enumerate()) {
                    std::string name = t.name();
                    STRESS_CHECK(!name.empty(), "enumerate(): a thread without a name");
                    (void)t.is_alive();
                    (void)t.daemon();
                    (void)t.repr();
                    if (!t.ident()) {
                        // Listed while start() is still on its way (Python's _limbo): its ident is
                        // None until the thread runs. Once native_id() is known, so is ident.
                        ++in_start;
                        (void)t.native_id();
                        STRESS_CHECK(t.ident().has_value(), "thread ", name, " has a native_id but no ident");
                    } else if (rng.below(8) == 0) {
                        (void)t.native_id();
                    }
                    ++observed;
                }
                (void)tl::active_count();
                if (o == 1 && rng.below(16) == 0) tl::excepthook = hook; // reassigned while threads run
            }
        });
    for (auto& t : observers) t.start();
    run_threads("spawner", spawners, [&](int me) {
        Rng rng = rng_for(1200 + me);
        for (std::size_t k = 0; k < per_spawner; ++k) {
            std::uint64_t id = me * per_spawner + k;
            bool raise = rng.chance(0.1);
            tl::Thread t({.name = tl::str("churn-", id), .daemon = rng.chance(0.3)}, [&, id, raise] {
                ++ran;
                STRESS_CHECK(tl::current_thread().name() == tl::str("churn-", id), "current_thread() is not me");
                if (raise) {
                    ++raised;
                    throw InjectedFault(id);
                }
            });
            t.start();
            ++started;
            // A second joiner with a timeout, at the same time as this one.
            tl::Thread joiner({.name = tl::str("joiner-", id)}, [t, &timed_joins] {
                t.join(0.0005);
                if (t.is_alive()) ++timed_joins;
                t.join();
            });
            joiner.start();
            t.join();
            STRESS_CHECK(!t.is_alive(), "thread ", id, " alive after join()");
            joiner.join();
            ++joined;
        }
    });
    stop = true;
    for (auto& t : observers) t.join();
    tl::excepthook = nullptr;
    STRESS_CHECK(hooked.load() == raised.load(), "excepthook called ", hooked.load(), " times for ", raised.load(),
                 " raising targets");
    STRESS_CHECK(ran.load() == started.load() && joined.load() == started.load(), "threads: started ", started.load(),
                 " ran ", ran.load(), " joined ", joined.load());
    std::size_t after = tl::active_count();
    STRESS_CHECK(after == baseline, "active_count() ", after, " after, ", baseline, " before");
    std::printf("thread_churn: threads started=%" PRIu64 " (+ as many joiners) joined=%" PRIu64
                " raised (excepthook)=%" PRIu64 "/%" PRIu64 " timed joins expired=%" PRIu64
                " threads observed via enumerate()=%" PRIu64 " (listed before their ident was set: %" PRIu64 ")\n",
                started.load(), joined.load(), hooked.load(), raised.load(), timed_joins.load(), observed.load(),
                in_start.load());
    return 0;
}

} // namespace stress
