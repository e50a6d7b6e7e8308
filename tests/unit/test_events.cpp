// The event stream (events.hpp): what each primitive reports, observers, the Recorder.
//
// [SECTION] Helpers
// [SECTION] Observers
// [SECTION] Threads
// [SECTION] Locks
// [SECTION] Condition, Semaphore, Event, Barrier
// [SECTION] Futures and executors
// [SECTION] sleep, Io, names
// [SECTION] Recorder
#include "helpers.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace threadlab;
namespace ev = threadlab::events;

// [SECTION] Helpers -----------------------------------------------------------------------------

namespace {
// A Recorder installed for the test's duration.
struct Recording {
    ev::Recorder recorder;
    Recording() { ev::add_observer(&recorder); }
    ~Recording() { ev::remove_observer(&recorder); }
    std::vector<ev::Event> all() const {
        std::vector<ev::Event> out;
        recorder.read(0, out);
        return out;
    }
    // "kind object_kind" of every event about `object` (an id or a serial) of `kind`.
    std::vector<std::string> about(std::uint64_t object, ev::ObjectKind kind) const {
        std::vector<std::string> out;
        for (const auto& e : all())
            if (e.object == object && e.object_kind == kind) out.push_back(std::string(ev::kind_name(e.kind)));
        return out;
    }
    // The thread_* events of a thread (joins are waits on it too).
    std::vector<ev::Event> lifecycle(std::uint32_t serial) const {
        std::vector<ev::Event> out;
        for (const auto& e : events_about(serial, ev::ObjectKind::thread))
            if (e.kind != ev::Kind::wait_begin && e.kind != ev::Kind::wait_end) out.push_back(e);
        return out;
    }
    std::vector<ev::Event> events_about(std::uint64_t object, ev::ObjectKind kind) const {
        std::vector<ev::Event> out;
        for (const auto& e : all())
            if (e.object == object && e.object_kind == kind) out.push_back(e);
        return out;
    }
};

std::uint64_t id(const void* object) { return ev::detail::object_id(object); }
std::uint32_t me() { return current_thread().serial(); }

using Names = std::vector<std::string>;

// One acquire and one release: two events.
void acquire_release(Lock& lock) {
    lock.acquire();
    lock.release();
}

// Counts what it sees; flags a call made after it was removed.
struct Counter final : ev::Observer {
    std::atomic<long> seen{0};
    std::atomic<bool> removed{false};
    std::atomic<long> after_removal{0};
    void on_event(const ev::Event&) noexcept override {
        if (removed.load()) ++after_removal;
        ++seen;
    }
};
} // namespace

// [SECTION] Observers ---------------------------------------------------------------------------

TEST_CASE("events: nothing is observed and nothing reported with no observer installed") {
    CHECK_FALSE(ev::detail::observed());
    Counter counter;
    ev::add_observer(&counter);
    CHECK(ev::detail::observed());
    CHECK(ev::remove_observer(&counter));
    CHECK_FALSE(ev::detail::observed());
    CHECK_FALSE(ev::remove_observer(&counter)); // not installed any more
    Lock lock;
    acquire_release(lock);
    Thread t{[] {}};
    t.start();
    t.join();
    ThreadPoolExecutor pool(1);
    pool.submit([] { return 1; }).result();
    CHECK(counter.seen == 0);
}

TEST_CASE("events: several observers each see every event, adding one twice has no effect") {
    Counter a, b;
    ev::add_observer(&a);
    ev::add_observer(&b);
    ev::add_observer(&a);
    Lock lock;
    acquire_release(lock);
    ev::remove_observer(&a);
    ev::remove_observer(&b);
    CHECK(a.seen == 2);
    CHECK(b.seen == 2);
}

TEST_CASE("events: remove_observer waits for calls in flight and none come after, while threads emit") {
    std::atomic<bool> stop{false};
    Lock lock;
    std::vector<Thread> threads;
    for (int i = 0; i < 2; ++i)
        threads.emplace_back([&] {
            while (!stop.load()) {
                lock.acquire();
                lock.release();
            }
        });
    for (auto& t : threads) t.start();
    for (int round = 0; round < 50; ++round) {
        Counter counter;
        ev::add_observer(&counter);
        CHECK(eventually([&] { return counter.seen.load() > 0; }));
        REQUIRE(ev::remove_observer(&counter));
        counter.removed = true;
        for (int i = 0; i < 100; ++i) std::this_thread::yield();
        CHECK(counter.after_removal == 0);
    }
    stop = true;
    for (auto& t : threads) t.join();
}

TEST_CASE("events: an observer's own use of the library is not reported to it, and never recurses") {
    struct UsesALock final : ev::Observer {
        Lock inner;
        std::atomic<int> calls{0};
        void on_event(const ev::Event&) noexcept override {
            ++calls;
            inner.acquire(); // would report lock_acquired: dropped, since we are inside a call
            inner.release();
        }
    } observer;
    ev::add_observer(&observer);
    Lock lock;
    acquire_release(lock);
    ev::remove_observer(&observer);
    CHECK(observer.calls == 2);
}

TEST_CASE("events: remove_observer from inside an observer call raises RuntimeError") {
    struct Remover final : ev::Observer {
        std::string error;
        void on_event(const ev::Event&) noexcept override {
            if (error.empty()) error = raised([&] { ev::remove_observer(this); });
        }
    } observer;
    ev::add_observer(&observer);
    Lock lock;
    acquire_release(lock);
    ev::remove_observer(&observer);
    CHECK(observer.error == "RuntimeError: remove_observer called from inside an observer call");
}

// [SECTION] Threads -----------------------------------------------------------------------------

TEST_CASE("events: a thread is created, named, started and finished, the failed flag when it raised") {
    Recording rec;
    excepthook = [](const ExceptHookArgs&) {};
    Thread ok({.name = "good"}, [] {});
    Thread bad({.name = "bad"}, [] { throw ValueError("x"); });
    ok.start();
    bad.start();
    ok.join();
    bad.join();
    excepthook = nullptr;
    auto good = rec.lifecycle(ok.serial());
    REQUIRE(good.size() == 4);
    CHECK(good[0].kind == ev::Kind::thread_created);
    CHECK(good[1].kind == ev::Kind::thread_named);
    CHECK(good[2].kind == ev::Kind::thread_started);
    CHECK(good[3].kind == ev::Kind::thread_finished);
    CHECK(good[0].thread == me()); // created on the creating thread
    CHECK(good[0].name == "good");
    CHECK(good[1].name == "good");
    CHECK(good[2].thread == ok.serial()); // started and finished on the thread itself
    CHECK(good[3].thread == ok.serial());
    CHECK(good[3].ok);
    auto failed = rec.lifecycle(bad.serial());
    REQUIRE(failed.size() == 4);
    CHECK(failed[3].kind == ev::Kind::thread_finished);
    CHECK_FALSE(failed[3].ok);
    CHECK(rec.recorder.thread_name(ok.serial()) == "good");
    CHECK(rec.recorder.thread_name(main_thread().serial()) == "MainThread"); // named before: from the live threads
    CHECK(rec.recorder.thread_name(0xFFFFFFF0u).empty());
}

TEST_CASE("events: set_name is reported as thread_named, and thread_name follows it") {
    Recording rec;
    Thread t{[] {}};
    t.set_name("renamed");
    auto events = rec.events_about(t.serial(), ev::ObjectKind::thread);
    REQUIRE(events.size() == 3);
    CHECK(events[2].kind == ev::Kind::thread_named);
    CHECK(events[2].name == "renamed");
    CHECK(rec.recorder.thread_name(t.serial()) == "renamed");
}

TEST_CASE("events: join reports a wait on the thread only when it blocks") {
    Recording rec;
    Event go;
    Thread t{[&] { go.wait(30); }};
    t.start();
    Thread starter{[&] {
        sleep(0.05);
        go.set();
    }};
    starter.start();
    t.join();
    starter.join();
    auto waits = rec.events_about(t.serial(), ev::ObjectKind::thread);
    std::vector<ev::Event> mine;
    for (auto& e : waits)
        if (e.kind == ev::Kind::wait_begin || e.kind == ev::Kind::wait_end) mine.push_back(e);
    REQUIRE(mine.size() == 2);
    CHECK(mine[0].kind == ev::Kind::wait_begin);
    CHECK(mine[0].thread == me());
    CHECK(mine[1].kind == ev::Kind::wait_end);
    CHECK(mine[1].ok);
    // thread_finished is in the stream before the joiner's wait_end.
    CHECK(rec.about(t.serial(), ev::ObjectKind::thread).back() == "wait_end");
    auto before = rec.all().size();
    t.join(); // already stopped: no wait
    CHECK(rec.all().size() == before);
}

// [SECTION] Locks -------------------------------------------------------------------------------

TEST_CASE("events: an uncontended Lock reports acquired and released, no wait") {
    Recording rec;
    Lock lock;
    acquire_release(lock);
    CHECK(lock.acquire(false));
    CHECK_FALSE(lock.acquire(false)); // fails without blocking: nothing
    lock.release();
    CHECK(rec.about(id(&lock), ev::ObjectKind::lock) ==
          Names{"lock_acquired", "lock_released", "lock_acquired", "lock_released"});
    for (auto& e : rec.events_about(id(&lock), ev::ObjectKind::lock)) CHECK(e.thread == me());
}

TEST_CASE("events: a contended Lock reports the wait on the waiting thread, and a release by another thread") {
    Recording rec;
    Lock lock;
    lock.acquire();
    std::uint32_t waiter = 0;
    Thread t{[&] {
        waiter = me();
        lock.acquire(); // blocks until main releases
    }};
    t.start();
    CHECK(eventually([&] { return rec.about(id(&lock), ev::ObjectKind::lock).size() >= 2; }));
    lock.release();
    t.join();
    Thread releaser{[&] { lock.release(); }}; // a Lock has no owner: another thread may release it
    releaser.start();
    releaser.join();
    auto events = rec.events_about(id(&lock), ev::ObjectKind::lock);
    REQUIRE(events.size() == 6);
    CHECK(rec.about(id(&lock), ev::ObjectKind::lock) ==
          Names{"lock_acquired", "wait_begin", "lock_released", "wait_end", "lock_acquired", "lock_released"});
    CHECK(events[0].thread == me());
    CHECK(events[1].thread == waiter);
    CHECK(events[2].thread == me());
    CHECK(events[3].thread == waiter);
    CHECK(events[3].ok);
    CHECK(events[4].thread == waiter);
    CHECK(events[5].thread == releaser.serial());
}

TEST_CASE("events: a Lock acquire that times out ends its wait with ok=false and acquires nothing") {
    Recording rec;
    Lock lock;
    lock.acquire();
    CHECK_FALSE(lock.acquire(true, 0.02));
    CHECK(rec.about(id(&lock), ev::ObjectKind::lock) == Names{"lock_acquired", "wait_begin", "wait_end"});
    CHECK_FALSE(rec.events_about(id(&lock), ev::ObjectKind::lock).back().ok);
    lock.release();
}

TEST_CASE("events: RLock reports its re-entry level and nothing of its inner Lock") {
    Recording rec;
    RLock rlock;
    rlock.acquire();
    rlock.acquire();
    rlock.release();
    rlock.release();
    auto events = rec.events_about(id(&rlock), ev::ObjectKind::rlock);
    REQUIRE(events.size() == 4);
    CHECK(rec.about(id(&rlock), ev::ObjectKind::rlock) ==
          Names{"lock_acquired", "lock_acquired", "lock_released", "lock_released"});
    CHECK(events[0].count == 1);
    CHECK(events[1].count == 2);
    CHECK(events[2].count == 1);
    CHECK(events[3].count == 0);
    for (auto& e : rec.all()) CHECK(e.object_kind != ev::ObjectKind::lock);
}

TEST_CASE("events: a contended RLock reports the wait as an rlock wait") {
    Recording rec;
    RLock rlock;
    rlock.acquire();
    Thread t{[&] {
        rlock.acquire();
        rlock.release();
    }};
    t.start();
    CHECK(eventually([&] { return rec.about(id(&rlock), ev::ObjectKind::rlock).size() >= 2; }));
    rlock.release();
    t.join();
    CHECK(rec.about(id(&rlock), ev::ObjectKind::rlock) ==
          Names{"lock_acquired", "wait_begin", "lock_released", "wait_end", "lock_acquired", "lock_released"});
}

// [SECTION] Condition, Semaphore, Event, Barrier ------------------------------------------------

TEST_CASE("events: Condition wait and notify, the lock released and re-acquired around the wait") {
    Recording rec;
    Lock lock;
    Condition cond(lock);
    bool ready = false;
    Thread waiter{[&] {
        std::lock_guard guard(cond);
        while (!ready) cond.wait(30);
    }};
    waiter.start();
    CHECK(eventually([&] { return rec.about(id(&cond), ev::ObjectKind::condition).size() == 1; }));
    {
        std::lock_guard guard(cond);
        ready = true;
        cond.notify();
    }
    waiter.join();
    auto events = rec.events_about(id(&cond), ev::ObjectKind::condition);
    CHECK(rec.about(id(&cond), ev::ObjectKind::condition) == Names{"wait_begin", "notified", "wait_end"});
    REQUIRE(events.size() == 3);
    CHECK(events[0].thread == waiter.serial());
    CHECK(events[1].thread == me());
    CHECK(events[1].count == 1);
    CHECK(events[2].ok);
    // The waiter: acquired, released for the wait, acquired after it, released at the end. (It may
    // also wait for the lock after waking, while the notifier still holds it.)
    std::vector<std::string> waiter_lock;
    for (auto& e : rec.events_about(id(&lock), ev::ObjectKind::lock))
        if (e.thread == waiter.serial() && (e.kind == ev::Kind::lock_acquired || e.kind == ev::Kind::lock_released))
            waiter_lock.push_back(ev::kind_name(e.kind));
    CHECK(waiter_lock == Names{"lock_acquired", "lock_released", "lock_acquired", "lock_released"});
    {
        std::lock_guard guard(cond);
        CHECK_FALSE(cond.wait(0)); // does not block: no wait reported
    }
    CHECK(rec.about(id(&cond), ev::ObjectKind::condition).size() == 3);
}

TEST_CASE("events: Semaphore acquire blocks only at zero, release wakes and is reported") {
    Recording rec;
    Semaphore sem(1);
    sem.acquire(); // does not block
    CHECK(rec.about(id(&sem), ev::ObjectKind::semaphore) == Names{"lock_acquired"});
    Thread t{[&] { sem.acquire(); }};
    t.start();
    CHECK(eventually([&] { return rec.about(id(&sem), ev::ObjectKind::semaphore).size() == 2; }));
    sem.release();
    t.join();
    auto names = rec.about(id(&sem), ev::ObjectKind::semaphore);
    // The waiter's wait_end and lock_acquired may come before the release's events (reported after
    // the semaphore's mutex is released).
    CHECK(names.size() == 6);
    CHECK(names[1] == "wait_begin");
    CHECK(std::count(names.begin(), names.end(), "notified") == 1);
    CHECK(std::count(names.begin(), names.end(), "lock_released") == 1);
    CHECK(std::count(names.begin(), names.end(), "wait_end") == 1);
    CHECK(std::count(names.begin(), names.end(), "lock_acquired") == 2);
    BoundedSemaphore bounded(1);
    bounded.acquire();
    bounded.release();
    CHECK(rec.about(id(&bounded), ev::ObjectKind::bounded_semaphore) == Names{"lock_acquired", "lock_released"});
}

TEST_CASE("events: Event wait blocks only while unset, set is reported, a timeout ends with ok=false") {
    Recording rec;
    Event event;
    CHECK_FALSE(event.wait(0.01));
    Thread t{[&] { event.wait(30); }};
    t.start();
    CHECK(eventually([&] { return rec.about(id(&event), ev::ObjectKind::event).size() == 3; }));
    event.set();
    t.join();
    CHECK(event.wait()); // set: no wait
    auto events = rec.events_about(id(&event), ev::ObjectKind::event);
    CHECK(rec.about(id(&event), ev::ObjectKind::event) ==
          Names{"wait_begin", "wait_end", "wait_begin", "notified", "wait_end"});
    REQUIRE(events.size() == 5);
    CHECK_FALSE(events[1].ok);
    CHECK(events[2].thread == t.serial());
    CHECK(events[4].ok);
}

TEST_CASE("events: Barrier waiters report a wait, the last to arrive reports the release") {
    Recording rec;
    Barrier barrier(2);
    Thread t{[&] { barrier.wait(30); }};
    t.start();
    CHECK(eventually([&] { return barrier.n_waiting() == 1; }));
    barrier.wait(30);
    t.join();
    auto events = rec.events_about(id(&barrier), ev::ObjectKind::barrier);
    std::vector<std::string> first, last;
    for (auto& e : events) (e.thread == t.serial() ? first : last).push_back(ev::kind_name(e.kind));
    CHECK(first == Names{"wait_begin", "wait_end"});
    CHECK(last == Names{"notified"});
    CHECK(events.back().ok);
}

// [SECTION] Futures and executors ---------------------------------------------------------------

TEST_CASE("events: futures are submitted, started, done, failed and cancelled, with submitter and worker") {
    Recording rec;
    ThreadPoolExecutor executor(1);
    auto ok = executor.submit([] { return 1; });
    ok.result(30);
    auto failing = executor.submit([]() -> int { throw ValueError("x"); });
    failing.exception(30);
    Event started, release;
    auto blocker = executor.submit([&] {
        started.set();
        release.wait(30);
    });
    started.wait(30);
    auto cancelled = executor.submit([] { return 3; });
    CHECK(cancelled.cancel());
    release.set();
    executor.shutdown();
    REQUIRE(executor.threads().size() == 1);
    const std::uint32_t worker = executor.threads()[0].serial();

    auto task_events = [&](std::uint64_t serial) {
        std::vector<ev::Event> out;
        for (auto& e : rec.events_about(serial, ev::ObjectKind::future))
            if (e.kind != ev::Kind::wait_begin && e.kind != ev::Kind::wait_end) out.push_back(e);
        return out;
    };
    auto okev = task_events(ok.serial());
    REQUIRE(okev.size() == 3);
    CHECK(okev[0].kind == ev::Kind::task_submitted);
    CHECK(okev[0].thread == me());
    CHECK(okev[1].kind == ev::Kind::task_started);
    CHECK(okev[1].thread == worker);
    CHECK(okev[2].kind == ev::Kind::task_done);
    CHECK(okev[2].thread == worker);
    for (auto& e : okev) {
        CHECK(e.submitter == me());
        CHECK(e.task == ok.serial());
    }
    CHECK(okev[0].seq < okev[1].seq);
    CHECK(okev[1].seq < okev[2].seq);

    auto failedev = task_events(failing.serial());
    REQUIRE(failedev.size() == 3);
    CHECK(failedev[2].kind == ev::Kind::task_failed);
    CHECK(failedev[2].thread == worker);

    auto cancelledev = task_events(cancelled.serial());
    REQUIRE(cancelledev.size() == 2);
    CHECK(cancelledev[0].kind == ev::Kind::task_submitted);
    CHECK(cancelledev[1].kind == ev::Kind::task_cancelled);
    CHECK(cancelledev[1].thread == me());
    CHECK(cancelledev[1].submitter == me());

    CHECK(rec.recorder.thread_name(worker) == executor.threads()[0].name());
}

TEST_CASE("events: result() reports a wait on the future only when it blocks, task_done comes first") {
    Recording rec;
    ThreadPoolExecutor executor(1);
    auto slow = executor.submit([] {
        sleep(0.05);
        return 1;
    });
    CHECK(slow.result(30) == 1);
    auto names = rec.about(slow.serial(), ev::ObjectKind::future);
    CHECK(std::count(names.begin(), names.end(), "wait_begin") == 1);
    CHECK(names.back() == "wait_end");
    auto done_at = std::find(names.begin(), names.end(), "task_done");
    auto end_at = std::find(names.begin(), names.end(), "wait_end");
    CHECK(done_at < end_at);
    auto waits = rec.events_about(slow.serial(), ev::ObjectKind::future);
    CHECK(waits.back().thread == me());
    CHECK(waits.back().task == slow.serial());
    CHECK(waits.back().ok);
    auto before = rec.all().size();
    CHECK(slow.result() == 1); // done: no wait
    CHECK(rec.all().size() == before);
}

TEST_CASE("events: wait() and as_completed() report a futures wait when they block") {
    Recording rec;
    ThreadPoolExecutor executor(2);
    std::vector<Future<int>> fs;
    for (int i = 0; i < 2; ++i)
        fs.push_back(executor.submit([i] {
            sleep(0.03);
            return i;
        }));
    auto result = wait(fs);
    CHECK(result.done.size() == 2);
    std::size_t before = 0;
    for (auto& e : rec.all()) before += e.object_kind == ev::ObjectKind::futures_wait;
    CHECK(before == 2);
    fs.push_back(executor.submit([] {
        sleep(0.03);
        return 9;
    }));
    int n = 0;
    for (auto f : as_completed(fs)) n += f.done();
    CHECK(n == 3);
    std::vector<ev::Event> waits;
    for (auto& e : rec.all())
        if (e.object_kind == ev::ObjectKind::futures_wait) waits.push_back(e);
    REQUIRE(waits.size() >= 4);
    CHECK(waits.size() % 2 == 0);
    for (std::size_t i = 0; i < waits.size(); i += 2) {
        CHECK(waits[i].kind == ev::Kind::wait_begin);
        CHECK(waits[i + 1].kind == ev::Kind::wait_end);
        CHECK(waits[i + 1].ok);
        CHECK(waits[i].thread == me());
    }
}

// [SECTION] sleep, Io, names --------------------------------------------------------------------

TEST_CASE("events: sleep reports a sleep wait, sleep(0) reports nothing") {
    Recording rec;
    sleep(0);
    sleep(0.001);
    std::vector<ev::Event> sleeps;
    for (auto& e : rec.all())
        if (e.object_kind == ev::ObjectKind::sleep) sleeps.push_back(e);
    REQUIRE(sleeps.size() == 2);
    CHECK(sleeps[0].kind == ev::Kind::wait_begin);
    CHECK(sleeps[1].kind == ev::Kind::wait_end);
    CHECK(sleeps[1].time - sleeps[0].time >= 0.0009);
}

TEST_CASE("events: Io scopes report an io wait named by their label") {
    Recording rec;
    const std::string url = "http://127.0.0.1:8000/images/1.png";
    {
        ev::Io io(url);
        io.end(true);
    }
    { ev::Io failing(url); } // ended by the destructor: not ok
    std::vector<ev::Event> ios;
    for (auto& e : rec.all())
        if (e.object_kind == ev::ObjectKind::io) ios.push_back(e);
    REQUIRE(ios.size() == 4);
    CHECK(ios[0].name == url);
    CHECK(ios[1].ok);
    CHECK_FALSE(ios[3].ok);
}

TEST_CASE("events: sync objects carry a display name, repr does not show it") {
    Lock lock;
    RLock rlock;
    Condition cond;
    Semaphore sem;
    BoundedSemaphore bounded;
    Event event;
    Barrier barrier(1);
    CHECK(lock.name().empty());
    std::string repr_before = lock.repr();
    lock.set_name("table lock");
    rlock.set_name("r");
    cond.set_name("c");
    sem.set_name("s");
    bounded.set_name("b");
    event.set_name("e");
    barrier.set_name("bar");
    CHECK(lock.name() == "table lock");
    CHECK(rlock.name() == "r");
    CHECK(cond.name() == "c");
    CHECK(sem.name() == "s");
    CHECK(bounded.name() == "b");
    CHECK(event.name() == "e");
    CHECK(barrier.name() == "bar");
    CHECK(lock.repr() == repr_before);
    Recording rec;
    lock.acquire();
    lock.set_name("renamed");
    lock.release();
    auto events = rec.events_about(id(&lock), ev::ObjectKind::lock);
    REQUIRE(events.size() == 2);
    CHECK(events[0].name == "table lock");
    CHECK(events[1].name == "renamed");
    lock.set_name("");
    CHECK(lock.name().empty());
}

TEST_CASE("events: kind_name and object_kind_name") {
    CHECK(std::string(ev::kind_name(ev::Kind::thread_created)) == "thread_created");
    CHECK(std::string(ev::kind_name(ev::Kind::wait_begin)) == "wait_begin");
    CHECK(std::string(ev::kind_name(ev::Kind::task_cancelled)) == "task_cancelled");
    CHECK(std::string(ev::object_kind_name(ev::ObjectKind::bounded_semaphore)) == "bounded_semaphore");
    CHECK(std::string(ev::object_kind_name(ev::ObjectKind::futures_wait)) == "futures_wait");
    CHECK(std::string(ev::object_kind_name(ev::ObjectKind::io)) == "io");
}

// [SECTION] Recorder ----------------------------------------------------------------------------

TEST_CASE("Recorder::read is incremental, with growing seq and time") {
    Recording rec;
    Lock lock;
    acquire_release(lock);
    std::vector<ev::Event> first;
    std::uint64_t next = rec.recorder.read(0, first);
    CHECK(next == first.size());
    lock.acquire();
    std::vector<ev::Event> second;
    std::uint64_t after = rec.recorder.read(next, second);
    REQUIRE(second.size() == 1);
    CHECK(second[0].seq == next);
    CHECK(after == next + 1);
    std::vector<ev::Event> nothing;
    CHECK(rec.recorder.read(after, nothing) == after);
    CHECK(nothing.empty());
    lock.release();
    auto all = rec.all();
    for (std::size_t i = 1; i < all.size(); ++i) {
        CHECK(all[i].seq == all[i - 1].seq + 1);
        CHECK(all[i].time >= all[i - 1].time);
    }
}

TEST_CASE("Recorder is read while threads record: each event once, in seq order") {
    Recording rec;
    constexpr int threads = 3, rounds = 2000;
    std::vector<Thread> workers;
    Lock lock;
    for (int i = 0; i < threads; ++i)
        workers.emplace_back([&] {
            for (int r = 0; r < rounds; ++r) {
                lock.acquire();
                lock.release();
            }
        });
    for (auto& t : workers) t.start();
    std::vector<ev::Event> seen;
    std::uint64_t next = 0;
    while (std::any_of(workers.begin(), workers.end(), [](const Thread& t) { return t.is_alive(); })) {
        next = rec.recorder.read(next, seen);
        tl::gil::checkpoint(); // sim: let the workers run
    }
    for (auto& t : workers) t.join();
    next = rec.recorder.read(next, seen);
    CHECK(seen.size() == next); // capacity not exceeded: nothing dropped
    for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i].seq == i);
    long acquired = 0, released = 0;
    for (auto& e : seen)
        if (e.object == id(&lock)) {
            acquired += e.kind == ev::Kind::lock_acquired;
            released += e.kind == ev::Kind::lock_released;
        }
    CHECK(acquired == threads * rounds);
    CHECK(released == threads * rounds);
}

TEST_CASE("Recorder keeps the newest capacity() events, skips the dropped ones, and clear() forgets") {
    ev::Recorder recorder(16);
    CHECK(recorder.capacity() == 16);
    ev::add_observer(&recorder);
    Lock lock;
    for (int i = 0; i < 13; ++i) {
        lock.acquire();
        lock.release();
    }
    ev::remove_observer(&recorder);
    std::vector<ev::Event> out;
    std::uint64_t next = recorder.read(0, out);
    CHECK(next == 26);
    REQUIRE(out.size() == 16);
    CHECK(out.front().seq == 10);
    CHECK(out.back().seq == 25);
    recorder.clear();
    out.clear();
    CHECK(recorder.read(0, out) == 26);
    CHECK(out.empty());
    ev::add_observer(&recorder);
    lock.acquire();
    ev::remove_observer(&recorder);
    lock.release();
    CHECK(recorder.read(0, out) == 27);
    REQUIRE(out.size() == 1);
    CHECK(out[0].seq == 26);
}
