// ThreadPoolExecutor under load: executor_flood and executor_shutdown.
//
// Every future gets a done-callback that counts how often it ran (exactly once each) and checks the
// outcome against the plan of its task (a value, the injected fault, or a cancellation). After each
// round, with every pool shut down, every record must show one callback and the counts must add up:
// submitted = done + failed + cancelled, failed = faults thrown, and no Payload or InjectedFault is
// left alive.
#include "stress.hpp"

#include <algorithm>
#include <cinttypes>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace stress {
namespace {

// [SECTION] Per-future records ------------------------------------------------------------------

enum Flag : std::uint8_t {
    expect_throw = 1, // the task throws InjectedFault(id)
    spawn_child = 2,  // the task submits a child task and waits for it with a timeout
    submitted = 4,    // submit() returned a future
    rejected = 8,     // submit() raised RuntimeError (pool shut down)
    cancel_ok = 16,   // someone's cancel() returned true
    is_child = 32,
};
enum Outcome : std::uint8_t { pending = 0, returned = 1, raised = 2, cancelled = 3 };

struct Record {
    std::atomic<std::uint8_t> callbacks{0};
    std::atomic<std::uint8_t> outcome{pending};
    std::atomic<std::uint8_t> flags{0};
    std::atomic<std::uint8_t> executor{0xFF};
};

constexpr int executors_per_round = 3;

struct Flood {
    std::uint64_t top_level = 0;      // ids [0, top_level) are the producers' tasks
    std::uint64_t capacity = 0;       // ids [top_level, capacity) are for children
    std::unique_ptr<Record[]> records;
    std::atomic<std::uint64_t> next_child{0};

    // The current round's pools: set before its threads start, read-only while they run.
    std::vector<std::unique_ptr<tl::ThreadPoolExecutor>> executors;
    std::atomic<bool> killed[executors_per_round] = {};

    std::atomic<std::uint64_t>& submitted = counter("flood.submitted");
    std::atomic<std::uint64_t>& rejected = counter("flood.rejected_after_shutdown");
    std::atomic<std::uint64_t>& started = counter("flood.tasks_started");
    std::atomic<std::uint64_t>& ended_ok = counter("flood.callbacks.returned");
    std::atomic<std::uint64_t>& ended_raised = counter("flood.callbacks.raised");
    std::atomic<std::uint64_t>& ended_cancelled = counter("flood.callbacks.cancelled");
    std::atomic<std::uint64_t>& thrown = counter("flood.faults_thrown");
    std::atomic<std::uint64_t>& slept = counter("flood.tasks_slept");
    std::atomic<std::uint64_t>& children = counter("flood.children_submitted");
    std::atomic<std::uint64_t>& children_rejected = counter("flood.children_rejected");
    std::atomic<std::uint64_t>& child_waits_timed_out = counter("flood.child_result_timeouts");
    std::atomic<std::uint64_t>& child_waits_got = counter("flood.child_result_got");
    std::atomic<std::uint64_t>& cancel_calls = counter("flood.cancel_calls");
    std::atomic<std::uint64_t>& cancel_true = counter("flood.cancel_true");
    std::atomic<std::uint64_t>& result_probes = counter("flood.result_probes");
    std::atomic<std::uint64_t>& result_timeouts = counter("flood.result_timeouts");
    std::atomic<std::uint64_t>& as_completed_yields = counter("flood.as_completed_yields");
    std::atomic<std::uint64_t>& as_completed_timeouts = counter("flood.as_completed_timeouts");
    std::atomic<std::uint64_t>& wait_calls = counter("flood.wait_calls");
    std::atomic<std::uint64_t>& batches = counter("flood.batches_consumed");
    std::atomic<std::uint64_t>& shutdowns = counter("flood.shutdowns_mid_batch");
    std::atomic<std::uint64_t>& shutdown_cancelled = counter("flood.cancelled_by_shutdown");
};

Payload flood_task(Flood* fl, std::uint64_t id, std::uint8_t plan, std::uint32_t sleep_us);

// The done-callback: exactly one call per future, and the outcome the plan says.
struct OnDone {
    Flood* fl;
    std::uint64_t id;
    void operator()(const tl::Future<Payload>& f) const {
        Record& rec = fl->records[id];
        int calls = rec.callbacks.fetch_add(1) + 1;
        STRESS_CHECK(calls == 1, "future ", id, " ended ", calls, " times");
        STRESS_CHECK(f.done(), "future ", id, ": callback ran while not done");
        std::uint8_t flags = rec.flags.load();
        if (f.cancelled()) {
            rec.outcome = cancelled;
            ++fl->ended_cancelled;
            return;
        }
        std::exception_ptr error = f.exception(0.0);
        if (error) {
            rec.outcome = raised;
            ++fl->ended_raised;
            try {
                std::rethrow_exception(error);
            } catch (const InjectedFault& e) {
                STRESS_CHECK(e.id == id, "future ", id, " raised the fault of task ", e.id);
                STRESS_CHECK(flags & expect_throw, "future ", id, " raised but its task was planned to return");
            } catch (...) {
                fail(__FILE__, __LINE__, tl::str("future ", id, " raised an unexpected ", tl::describe_exception(error)));
            }
            return;
        }
        rec.outcome = returned;
        ++fl->ended_ok;
        Payload p = f.result(0.0);
        STRESS_CHECK(p.id == id && p.value == expected_value(id), "future ", id, " returned the value of ", p.id);
        STRESS_CHECK(!(flags & expect_throw), "future ", id, " returned but its task was planned to raise");
    }
};

// Checks a finished future seen by a consumer (through result(), as_completed or wait).
void check_finished(Flood* fl, std::uint64_t id, const tl::Future<Payload>& f, const char* who) {
    STRESS_CHECK(f.done(), who, ": future ", id, " handed out while not done");
    if (f.cancelled()) return;
    try {
        Payload p = f.result(0.0);
        STRESS_CHECK(p.id == id && p.value == expected_value(id), who, ": future ", id, " has the value of ", p.id);
    } catch (const InjectedFault& e) {
        STRESS_CHECK(e.id == id && (fl->records[id].flags.load() & expect_throw), who, ": future ", id,
                     " raised the fault of ", e.id);
    } catch (const tl::CancelledError&) {
        // cancelled between the two calls: impossible once done, but not a value mismatch
        fail(__FILE__, __LINE__, tl::str(who, ": future ", id, " done, not cancelled, then CancelledError"));
    }
}

// [SECTION] Tasks -------------------------------------------------------------------------------

void submit_child(Flood* fl, std::uint64_t parent) {
    Rng rng = rng_for(parent ^ 0xC41DC41DC41Dull);
    std::uint64_t cid = fl->top_level + fl->next_child++;
    if (cid >= fl->capacity) return; // out of records: the plan allows ~2% children
    Record& rec = fl->records[cid];
    rec.flags = is_child | (rng.chance(0.1) ? expect_throw : 0);
    int e = static_cast<int>(rng.below(executors_per_round));
    std::optional<tl::Future<Payload>> f;
    try {
        f = fl->executors[e]->submit(flood_task, fl, cid, rec.flags.load(), 0u);
    } catch (const tl::RuntimeError&) {
        rec.flags |= rejected; // that pool is shut down (killed, or the round is ending)
        ++fl->children_rejected;
        return;
    }
    rec.executor = static_cast<std::uint8_t>(e);
    rec.flags |= submitted;
    ++fl->submitted;
    ++fl->children;
    f->add_done_callback(OnDone{fl, cid});
    // A result() timeout inside a worker: never block on a child (the pool may be full).
    try {
        Payload p = f->result(rng.chance(0.5) ? 0.0 : 0.00005);
        STRESS_CHECK(p.id == cid && p.value == expected_value(cid), "child ", cid, " value");
        ++fl->child_waits_got;
    } catch (const tl::TimeoutError&) {
        ++fl->child_waits_timed_out;
    } catch (const InjectedFault& e) {
        STRESS_CHECK(e.id == cid, "child ", cid, " raised the fault of ", e.id);
        ++fl->child_waits_got;
    } catch (const tl::CancelledError&) {
        ++fl->child_waits_got; // its pool was shut down with cancel_futures
    }
}

Payload flood_task(Flood* fl, std::uint64_t id, std::uint8_t plan, std::uint32_t sleep_us) {
    ++fl->started;
    if (sleep_us) {
        ++fl->slept;
        tl::sleep(sleep_us * 1e-6);
    }
    if (plan & spawn_child) submit_child(fl, id);
    if (plan & expect_throw) {
        ++fl->thrown;
        throw InjectedFault(id);
    }
    return Payload(id, expected_value(id));
}

// [SECTION] Consumers ---------------------------------------------------------------------------

struct Item {
    std::uint64_t id;
    tl::Future<Payload> future;
};
using Batch = std::vector<Item>;

// A bounded queue of batches, built on Threadlab's own Lock and Condition.
class BatchQueue {
public:
    explicit BatchQueue(std::size_t capacity) : capacity_(capacity) {}
    void push(Batch batch) {
        std::lock_guard guard(lock_);
        not_full_.wait_for([&] { return queue_.size() < capacity_; });
        queue_.push_back(std::move(batch));
        not_empty_.notify();
    }
    std::optional<Batch> pop() {
        std::lock_guard guard(lock_);
        // A timeout as well: Condition.wait may lose a notify to a waiter that timed out at the
        // same moment (as in Python); the predicate loop makes that harmless.
        while (queue_.empty() && !closed_) not_empty_.wait(0.05);
        if (queue_.empty()) return std::nullopt;
        Batch b = std::move(queue_.front());
        queue_.pop_front();
        not_full_.notify();
        return b;
    }
    void close() {
        std::lock_guard guard(lock_);
        closed_ = true;
        not_empty_.notify_all();
    }

private:
    tl::Lock lock_;
    tl::Condition not_empty_{lock_};
    tl::Condition not_full_{lock_};
    std::deque<Batch> queue_;
    std::size_t capacity_;
    bool closed_ = false;
};

void as_completed_consumer(Flood* fl, BatchQueue* queue, std::uint64_t stream) {
    Rng rng = rng_for(stream);
    while (auto batch = queue->pop()) {
        std::unordered_map<const void*, std::uint64_t> ids;
        std::vector<tl::Future<Payload>> futures;
        for (auto& item : *batch) {
            ids.emplace(item.future.state().get(), item.id);
            futures.push_back(item.future);
        }
        if (rng.chance(0.05) && !futures.empty()) { // a consumer that changes its mind
            auto& victim = (*batch)[rng.below(batch->size())];
            ++fl->cancel_calls;
            if (victim.future.cancel()) {
                fl->records[victim.id].flags |= cancel_ok;
                ++fl->cancel_true;
            }
        }
        std::unordered_set<const void*> seen;
        auto take = [&](const tl::Future<Payload>& f) {
            const void* key = f.state().get();
            auto found = ids.find(key);
            STRESS_CHECK(found != ids.end(), "as_completed yielded a future not in its input");
            STRESS_CHECK(seen.insert(key).second, "as_completed yielded future ", found->second, " twice");
            if (found != ids.end()) check_finished(fl, found->second, f, "as_completed");
            ++fl->as_completed_yields;
        };
        if (rng.chance(0.15)) {
            // A tiny timeout first: TimeoutError part-way, the waiter removed while futures finish.
            try {
                for (const auto& f : tl::as_completed(futures, rng.uniform() * 0.0002)) take(f);
            } catch (const tl::TimeoutError&) {
                ++fl->as_completed_timeouts;
            }
            std::vector<tl::Future<Payload>> rest;
            for (auto& f : futures)
                if (!seen.count(f.state().get())) rest.push_back(f);
            for (const auto& f : tl::as_completed(rest)) take(f);
        } else {
            for (const auto& f : tl::as_completed(futures)) take(f);
        }
        STRESS_CHECK(seen.size() == futures.size(), "as_completed yielded ", seen.size(), " of ", futures.size());
        ++fl->batches;
    }
}

void wait_consumer(Flood* fl, BatchQueue* queue, std::uint64_t stream) {
    Rng rng = rng_for(stream);
    while (auto batch = queue->pop()) {
        std::vector<tl::Future<Payload>> futures;
        for (auto& item : *batch) futures.push_back(item.future);
        // result() with a timeout on a few of them.
        for (int probe = 0; probe < 4 && !batch->empty(); ++probe) {
            Item& item = (*batch)[rng.below(batch->size())];
            ++fl->result_probes;
            try {
                Payload p = item.future.result(rng.chance(0.5) ? 0.0 : 0.0001);
                STRESS_CHECK(p.id == item.id && p.value == expected_value(item.id), "result() of ", item.id);
            } catch (const tl::TimeoutError&) {
                ++fl->result_timeouts;
            } catch (const InjectedFault& e) {
                STRESS_CHECK(e.id == item.id, "result() of ", item.id, " raised the fault of ", e.id);
            } catch (const tl::CancelledError&) {
                STRESS_CHECK(item.future.cancelled(), "CancelledError from a future that is not cancelled");
            }
        }
        static constexpr tl::ReturnWhen modes[] = {tl::FIRST_COMPLETED, tl::FIRST_EXCEPTION, tl::ALL_COMPLETED};
        tl::ReturnWhen mode = modes[rng.below(3)];
        tl::Timeout timeout = rng.chance(0.5) ? tl::Timeout{} : tl::Timeout{rng.uniform() * 0.001};
        auto r = tl::wait(futures, timeout, mode);
        ++fl->wait_calls;
        STRESS_CHECK(r.done.size() + r.not_done.size() == futures.size(), "wait() lost futures");
        for (auto& f : r.done) STRESS_CHECK(f.done(), "wait() put a pending future in done");
        if (!timeout && !futures.empty()) {
            if (mode == tl::ALL_COMPLETED) STRESS_CHECK(r.not_done.empty(), "wait(ALL_COMPLETED) returned early");
            if (mode == tl::FIRST_COMPLETED) STRESS_CHECK(!r.done.empty(), "wait(FIRST_COMPLETED) returned nothing");
            if (mode == tl::FIRST_EXCEPTION && !r.not_done.empty()) {
                bool raised_one = std::any_of(r.done.begin(), r.done.end(), [](const tl::Future<Payload>& f) {
                    return !f.cancelled() && f.exception(0.0) != nullptr;
                });
                STRESS_CHECK(raised_one, "wait(FIRST_EXCEPTION) returned without an exception");
            }
        }
        auto all = tl::wait(futures);
        ++fl->wait_calls;
        STRESS_CHECK(all.not_done.empty() && all.done.size() == futures.size(), "wait() left ",
                     all.not_done.size(), " not done");
        ++fl->batches;
    }
}

// [SECTION] Producers ---------------------------------------------------------------------------

struct RoundPlan {
    std::uint64_t first_id;
    std::uint64_t count;
    std::uint64_t kill_after; // producer 0 signals the killer after this many of its submissions
};

void producer(Flood* fl, RoundPlan plan, bool signals_killer, tl::Event* killer_go, BatchQueue* to_as_completed,
              BatchQueue* to_wait, std::uint64_t stream) {
    Rng route = rng_for(stream);
    std::uint64_t id = plan.first_id, end = plan.first_id + plan.count, mine = 0;
    while (id < end) {
        Batch batch;
        std::uint64_t size = std::min<std::uint64_t>(end - id, route.between(1, 512));
        batch.reserve(size);
        for (std::uint64_t k = 0; k < size; ++k, ++id) {
            Rng rng = rng_for(id); // the plan of task `id`: the same for every run with this seed
            Record& rec = fl->records[id];
            std::uint8_t flags = 0;
            if (rng.chance(0.05)) flags |= expect_throw;
            if (rng.chance(0.01)) flags |= spawn_child;
            std::uint32_t sleep_us = 0;
            double d = rng.uniform();
            if (d < 0.0004) sleep_us = static_cast<std::uint32_t>(rng.between(500, 3000));
            else if (d < 0.0044) sleep_us = static_cast<std::uint32_t>(rng.between(1, 100));
            bool cancel_it = rng.chance(0.02);
            int e = static_cast<int>(rng.below(executors_per_round));
            rec.flags = flags;
            std::optional<tl::Future<Payload>> f;
            for (int attempt = 0; attempt < executors_per_round && !f; ++attempt) {
                int which = (e + attempt) % executors_per_round;
                try {
                    f = fl->executors[which]->submit(flood_task, fl, id, flags, sleep_us);
                    rec.executor = static_cast<std::uint8_t>(which);
                } catch (const tl::RuntimeError&) {
                    ++fl->rejected; // killed mid-batch: this task goes to the next pool
                }
            }
            STRESS_CHECK(f.has_value(), "task ", id, ": every pool refused it");
            if (!f) continue;
            rec.flags |= submitted;
            ++fl->submitted;
            f->add_done_callback(OnDone{fl, id});
            if (cancel_it) {
                ++fl->cancel_calls;
                if (f->cancel()) {
                    rec.flags |= cancel_ok;
                    ++fl->cancel_true;
                }
            }
            batch.push_back(Item{id, std::move(*f)});
            if (signals_killer && ++mine == plan.kill_after) killer_go->set();
        }
        switch (route.below(4)) {
        case 0:
        case 1: to_as_completed->push(std::move(batch)); break;
        case 2: to_wait->push(std::move(batch)); break;
        default: break; // nobody waits: the futures are dropped while their tasks run
        }
    }
    if (signals_killer) killer_go->set();
}

std::size_t alive_threads() { return tl::active_count(); }

} // namespace

// [SECTION] executor_flood ----------------------------------------------------------------------

int executor_flood() {
    Flood fl;
    fl.top_level = scaled(1'000'000, 1000);
    fl.capacity = fl.top_level + fl.top_level / 50 + 1024;
    fl.records = std::make_unique<Record[]>(fl.capacity);
    const int rounds = default_scale < 1 ? 4 : 8;
    const int producers = 3;
    std::printf("executor_flood: %" PRIu64 " top-level tasks in %d rounds of %d pools, %d producers, "
                "3 consumers (build %s)\n",
                fl.top_level, rounds, executors_per_round, producers, build_flavour);
    std::fflush(stdout);
    std::size_t threads_before = alive_threads();
    Rng rng = rng_for(0);
    std::uint64_t next_id = 0;
    auto& rounds_done = counter("flood.rounds_done");
    std::uint64_t killed_total = 0;

    for (int round = 0; round < rounds; ++round) {
        std::uint64_t round_count = fl.top_level / rounds + (round == rounds - 1 ? fl.top_level % rounds : 0);
        std::uint64_t child_start = fl.top_level + fl.next_child.load();
        fl.executors.clear();
        for (int e = 0; e < executors_per_round; ++e) {
            static constexpr int sizes[] = {1, 2, 3, 4, 6, 8};
            fl.executors.push_back(std::make_unique<tl::ThreadPoolExecutor>(tl::ThreadPoolOptions{
                .max_workers = sizes[rng.below(6)], .thread_name_prefix = tl::str("flood-r", round, "-e", e)}));
            fl.killed[e] = false;
        }
        BatchQueue to_as_completed(16), to_wait(16);
        tl::Event killer_go;
        int victim = static_cast<int>(rng.below(executors_per_round));
        bool victim_waits = rng.chance(0.5);
        std::uint64_t per_producer = round_count / producers;
        std::uint64_t kill_after = per_producer / 5 + rng.below(per_producer * 3 / 5 + 1);

        tl::Thread killer({.name = tl::str("killer-r", round)}, [&] {
            killer_go.wait();
            fl.killed[victim] = true;
            fl.executors[victim]->shutdown(victim_waits, /*cancel_futures=*/true);
            ++fl.shutdowns;
        });
        std::vector<tl::Thread> threads;
        for (int c = 0; c < 2; ++c)
            threads.emplace_back(tl::ThreadOptions{.name = tl::str("as_completed-", c)}, as_completed_consumer, &fl,
                                 &to_as_completed, 1000 + round * 16 + c);
        threads.emplace_back(tl::ThreadOptions{.name = "wait-0"}, wait_consumer, &fl, &to_wait, 2000 + round);
        std::vector<tl::Thread> producer_threads;
        for (int p = 0; p < producers; ++p) {
            RoundPlan plan{next_id + p * per_producer, p == producers - 1 ? round_count - p * per_producer : per_producer,
                           kill_after};
            producer_threads.emplace_back(tl::ThreadOptions{.name = tl::str("producer-", p)}, producer, &fl, plan,
                                          p == 0, &killer_go, &to_as_completed, &to_wait, 3000 + round * 16 + p);
        }
        killer.start();
        for (auto& t : threads) t.start();
        for (auto& t : producer_threads) t.start();
        for (auto& t : producer_threads) t.join();
        killer.join();
        to_as_completed.close();
        to_wait.close();
        for (auto& t : threads) t.join();
        for (auto& ex : fl.executors) ex->shutdown(true);
        for (auto& ex : fl.executors)
            for (auto& w : ex->threads()) STRESS_CHECK(!w.is_alive(), "worker ", w.name(), " alive after shutdown");
        fl.executors.clear();
        ++killed_total;

        // Every future of the round ended exactly once, as planned.
        std::uint64_t child_end = std::min(fl.capacity, fl.top_level + fl.next_child.load());
        auto check_range = [&](std::uint64_t from, std::uint64_t to) {
            for (std::uint64_t id = from; id < to; ++id) {
                Record& rec = fl.records[id];
                std::uint8_t flags = rec.flags.load(), outcome = rec.outcome.load(), calls = rec.callbacks.load();
                if (!(flags & submitted)) {
                    STRESS_CHECK(flags & rejected, "task ", id, " neither submitted nor rejected");
                    STRESS_CHECK(calls == 0, "rejected task ", id, " got a callback");
                    continue;
                }
                STRESS_CHECK(calls == 1, "future ", id, " ended ", int(calls), " times (round ", round, ")");
                if (flags & cancel_ok) STRESS_CHECK(outcome == cancelled, "cancel() was true, but future ", id, " ran");
                if (outcome == cancelled && !(flags & cancel_ok)) {
                    STRESS_CHECK(rec.executor < executors_per_round && fl.killed[rec.executor], "future ", id,
                                 " cancelled by nobody");
                    ++fl.shutdown_cancelled;
                }
                if (outcome == raised) STRESS_CHECK(flags & expect_throw, "future ", id, " raised unplanned");
                if (outcome == returned) STRESS_CHECK(!(flags & expect_throw), "future ", id, " returned unplanned");
            }
        };
        check_range(next_id, next_id + round_count);
        check_range(child_start, child_end);
        next_id += round_count;
        STRESS_CHECK(Payload::live.load() == 0, "round ", round, ": ", Payload::live.load(), " Payloads alive");
        STRESS_CHECK(InjectedFault::live.load() == 0, "round ", round, ": ", InjectedFault::live.load(),
                     " faults alive");
        ++rounds_done;
        std::printf("  round %d: %" PRIu64 " submitted so far, pool %d shut down (wait=%s) after %" PRIu64
                    " of producer-0's tasks, %.2f s\n",
                    round, fl.submitted.load(), victim, victim_waits ? "True" : "False", kill_after, elapsed());
        std::fflush(stdout);
    }
    (void)killed_total;

    std::uint64_t sub = fl.submitted, ok = fl.ended_ok, raised_n = fl.ended_raised, canc = fl.ended_cancelled;
    STRESS_CHECK(sub == ok + raised_n + canc, "submitted ", sub, " != returned ", ok, " + raised ", raised_n,
                 " + cancelled ", canc);
    STRESS_CHECK(raised_n == fl.thrown.load(), "raised ", raised_n, " != faults thrown ", fl.thrown.load());
    STRESS_CHECK(sub >= fl.top_level, "only ", sub, " tasks submitted");
    std::size_t threads_after = alive_threads();
    STRESS_CHECK(threads_after == threads_before, "threads alive: ", threads_before, " before, ", threads_after, " after");
    std::printf("executor_flood: tasks submitted=%" PRIu64 " (top-level %" PRIu64 ", children %" PRIu64
                ") returned=%" PRIu64 " raised=%" PRIu64 " cancelled=%" PRIu64 " (by cancel() %" PRIu64
                ", by shutdown %" PRIu64 ")\n"
                "  faults thrown=%" PRIu64 " started=%" PRIu64 " slept=%" PRIu64 " rejected after shutdown=%" PRIu64
                " (children %" PRIu64 ") cancel calls=%" PRIu64 "\n"
                "  result() probes=%" PRIu64 " timeouts=%" PRIu64 "; child result() timeouts=%" PRIu64 " got=%" PRIu64
                "; as_completed yields=%" PRIu64 " timeouts=%" PRIu64 "; wait calls=%" PRIu64 "; batches=%" PRIu64
                "; shutdown(cancel_futures) mid-batch=%" PRIu64 "\n",
                sub, fl.top_level, fl.children.load(), ok, raised_n, canc, fl.cancel_true.load(),
                fl.shutdown_cancelled.load(), fl.thrown.load(), fl.started.load(), fl.slept.load(), fl.rejected.load(),
                fl.children_rejected.load(), fl.cancel_calls.load(), fl.result_probes.load(),
                fl.result_timeouts.load(), fl.child_waits_timed_out.load(), fl.child_waits_got.load(),
                fl.as_completed_yields.load(), fl.as_completed_timeouts.load(), fl.wait_calls.load(),
                fl.batches.load(), fl.shutdowns.load());
    return 0;
}

// [SECTION] executor_shutdown -------------------------------------------------------------------

namespace {
Payload small_task(std::uint64_t id, std::uint32_t sleep_us, bool raise) {
    if (sleep_us) tl::sleep(sleep_us * 1e-6);
    if (raise) throw InjectedFault(id);
    return Payload(id, expected_value(id));
}
} // namespace

int executor_shutdown() {
    const std::size_t pools = scaled(600, 40);
    auto& pools_done = counter("shutdown.pools_done");
    auto& sub_total = counter("shutdown.submitted");
    auto& rej_total = counter("shutdown.rejected");
    auto& ok_total = counter("shutdown.returned");
    auto& raised_total = counter("shutdown.raised");
    auto& cancelled_total = counter("shutdown.cancelled");
    auto& map_values = counter("shutdown.map_values");
    auto& map_timeouts = counter("shutdown.map_timeouts");
    std::uint64_t mode_count[4] = {};
    std::size_t threads_before = alive_threads();
    std::printf("executor_shutdown: %zu pools, each shut down mid-batch (build %s)\n", pools, build_flavour);
    std::fflush(stdout);

    for (std::size_t it = 0; it < pools; ++it) {
        Rng rng = rng_for(it);
        int mode = static_cast<int>(rng.below(4)); // 0 main waits, 1 main no-wait, 2 from a task, 3 map + shutdown
        ++mode_count[mode];
        const std::size_t n = rng.between(50, 400);
        auto ex = std::make_unique<tl::ThreadPoolExecutor>(tl::ThreadPoolOptions{
            .max_workers = static_cast<int>(rng.between(1, 4)), .thread_name_prefix = tl::str("shut-", it)});
        struct Rec {
            std::atomic<int> calls{0};
            std::atomic<int> outcome{pending};
        };
        std::vector<Rec> recs(n);
        std::vector<std::optional<tl::Future<Payload>>> futures(n);
        std::vector<std::uint8_t> plans(n); // bit 0: raise
        tl::Event half;
        std::atomic<std::size_t> submitted_n{0}, rejected_n{0};
        bool self_wait = rng.chance(0.5);
        std::uint64_t producer_seed = rng.next();

        tl::Thread producer({.name = tl::str("shut-producer-", it)}, [&] {
            Rng prng(producer_seed);
            for (std::size_t i = 0; i < n; ++i) {
                bool raise = prng.chance(0.1);
                plans[i] = raise;
                std::uint32_t us = prng.chance(0.3) ? static_cast<std::uint32_t>(prng.between(1, 50)) : 0;
                std::uint64_t id = it * 1000 + i;
                try {
                    if (mode == 2 && i == n / 2) {
                        // The shutdown comes from a task of the pool itself (it cannot join itself).
                        tl::ThreadPoolExecutor* self = ex.get();
                        auto f = ex->submit([self, self_wait] { self->shutdown(self_wait, true); });
                        (void)f;
                    }
                    auto f = ex->submit(small_task, id, us, raise);
                    f.add_done_callback([&recs, i, id, raise](const tl::Future<Payload>& fu) {
                        int calls = ++recs[i].calls;
                        STRESS_CHECK(calls == 1, "shutdown: future ", id, " ended ", calls, " times");
                        if (fu.cancelled()) {
                            recs[i].outcome = cancelled;
                        } else if (auto e = fu.exception(0.0)) {
                            recs[i].outcome = raised;
                            STRESS_CHECK(raise, "shutdown: future ", id, " raised unplanned");
                        } else {
                            recs[i].outcome = returned;
                            Payload p = fu.result(0.0);
                            STRESS_CHECK(!raise && p.id == id && p.value == expected_value(id), "shutdown: value of ", id);
                        }
                    });
                    futures[i] = std::move(f);
                    ++submitted_n;
                } catch (const tl::RuntimeError&) {
                    ++rejected_n; // shut down already: this and every later submit is refused
                }
                if (i == n / 2) half.set();
            }
            half.set();
        });
        producer.start();
        if (mode == 0 || mode == 1) {
            half.wait();
            ex->shutdown(/*wait=*/mode == 0, /*cancel_futures=*/true);
            if (mode == 0) {
                // With wait=True, no worker is left: every future is final right now.
                for (auto& w : ex->threads()) STRESS_CHECK(!w.is_alive(), "worker ", w.name(), " alive after shutdown");
            }
        } else if (mode == 3) {
            // executor.map with a timeout, read in order, then shutdown(cancel_futures) on top.
            std::vector<std::uint64_t> items(rng.between(10, 100));
            for (std::size_t k = 0; k < items.size(); ++k) items[k] = 1'000'000'000ull + it * 1000 + k;
            tl::Timeout timeout = rng.chance(0.3) ? tl::Timeout{0.0005} : tl::Timeout{};
            try {
                auto results = ex->map([](std::uint64_t id) { return small_task(id, id % 7 == 0 ? 20 : 0, false); },
                                       items, timeout);
                std::size_t k = 0;
                for (const Payload& p : results) {
                    STRESS_CHECK(p.id == items[k] && p.value == expected_value(items[k]), "map() item ", k, " out of order");
                    ++k;
                    ++map_values;
                }
                STRESS_CHECK(k == items.size(), "map() yielded ", k, " of ", items.size());
            } catch (const tl::TimeoutError&) {
                ++map_timeouts; // the rest were cancelled when the range died
            } catch (const tl::RuntimeError&) {
                // only possible if shut down first, which this mode does not do
                fail(__FILE__, __LINE__, "map() refused by a live pool");
            }
            half.wait();
            ex->shutdown(true, true);
        }
        producer.join();
        if (mode == 0) {
            // shutdown(wait=True, cancel_futures=True) returned before the producer's last submit:
            // whatever got in before it has run or was cancelled; nothing can still be pending.
            for (std::size_t i = 0; i < n; ++i)
                if (futures[i])
                    STRESS_CHECK(futures[i]->done(), "future ", i, " of pool ", it,
                                 " still pending after shutdown(wait=True, cancel_futures=True)");
        }
        ex.reset(); // shutdown(wait=True): joins every worker
        std::size_t ok = 0, bad = 0, canc = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!futures[i]) continue;
            STRESS_CHECK(futures[i]->done(), "shutdown: future ", i, " of pool ", it, " never ended (mode ", mode, ")");
            STRESS_CHECK(recs[i].calls.load() == 1, "shutdown: future ", i, " of pool ", it, " ended ",
                         recs[i].calls.load(), " times");
            switch (recs[i].outcome.load()) {
            case returned: ++ok; break;
            case raised: ++bad; break;
            case cancelled: ++canc; break;
            default: break;
            }
        }
        STRESS_CHECK(ok + bad + canc == submitted_n.load(), "shutdown pool ", it, ": ", submitted_n.load(),
                     " submitted, ", ok, "+", bad, "+", canc, " ended");
        STRESS_CHECK(submitted_n + rejected_n == n, "shutdown pool ", it, ": submitted + rejected != ", n);
        sub_total += submitted_n;
        rej_total += rejected_n;
        ok_total += ok;
        raised_total += bad;
        cancelled_total += canc;
        futures.clear();
        STRESS_CHECK(Payload::live.load() == 0, "pool ", it, ": ", Payload::live.load(), " Payloads alive");
        ++pools_done;
    }
    std::size_t threads_after = alive_threads();
    STRESS_CHECK(threads_after == threads_before, "threads alive: ", threads_before, " before, ", threads_after, " after");
    std::printf("executor_shutdown: pools=%zu (main waits %" PRIu64 ", main no-wait %" PRIu64 ", from a task %" PRIu64
                ", map %" PRIu64 ") submitted=%" PRIu64 " returned=%" PRIu64 " raised=%" PRIu64 " cancelled=%" PRIu64
                " rejected after shutdown=%" PRIu64 " map values=%" PRIu64 " map timeouts=%" PRIu64 "\n",
                pools, mode_count[0], mode_count[1], mode_count[2], mode_count[3], sub_total.load(), ok_total.load(),
                raised_total.load(), cancelled_total.load(), rej_total.load(), map_values.load(), map_timeouts.load());
    return 0;
}

} // namespace stress
