// Thread, the module functions, excepthook, local<T>, Timer, sleep.
#include "helpers.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace threadlab;

namespace {
void add_one(std::atomic<int>* counter) { ++*counter; }
void do_nothing() {}

// The number in "Thread-N ..." (-1 if the name has another form).
long thread_number(const std::string& name) {
    std::smatch m;
    if (!std::regex_search(name, m, std::regex("^Thread-([0-9]+)"))) return -1;
    return std::stol(m[1]);
}

bool contains(const std::vector<Thread>& threads, const Thread& t) {
    return std::find(threads.begin(), threads.end(), t) != threads.end();
}
} // namespace

// [SECTION] Thread: start, join, is_alive ------------------------------------------------------

TEST_CASE("Thread.start runs the target with its arguments") {
    std::atomic<int> sum{0};
    std::string seen;
    Thread t{[&](int a, std::string b) {
                 sum = a;
                 seen = b;
             },
             41, std::string("forty-one")};
    t.start();
    t.join();
    CHECK(sum == 41);
    CHECK(seen == "forty-one");
}

TEST_CASE("Thread copies its arguments, as Python keeps references to them") {
    int value = 1;
    std::atomic<int> seen{0};
    Thread t{[&seen](int v) { seen = v; }, value};
    value = 2; // the thread got its own copy when it was made
    t.start();
    t.join();
    CHECK(seen == 1);
}

TEST_CASE("Thread with no target does nothing when started") {
    Thread t;
    CHECK(matches(t.name(), "Thread-[0-9]+"));
    t.start();
    t.join();
    CHECK_FALSE(t.is_alive());
}

TEST_CASE("Thread.start twice raises RuntimeError") {
    Event release;
    Thread t{[&] { release.wait(); }};
    t.start();
    CHECK(raised([&] { t.start(); }) == "RuntimeError: threads can only be started once");
    release.set();
    t.join();
    CHECK(raised([&] { t.start(); }) == "RuntimeError: threads can only be started once");
    CHECK_THROWS_AS(t.start(), RuntimeError);
}

#ifndef THREADLAB_SIM // sim: the injected failure is thread_local, and on sim every fiber shares it
TEST_CASE("Thread.start that fails (std::bad_alloc) leaves the thread as if never started") {
    // Fail the 1st, 2nd, ... allocation inside start() in turn, until start() needs no more.
    std::atomic<int> runs{0};
    Thread t{[&] { ++runs; }};
    int failures = 0;
    for (int n = 0; n < 64; ++n) {
        bool failed = false;
        try {
            testing::FailAllocation fail(n);
            t.start();
        } catch (const std::bad_alloc&) {
            failed = true;
        }
        if (!failed) break;
        ++failures;
        CAPTURE(n);
        REQUIRE_FALSE(t.is_alive()); // before the fix: alive for ever, and join() hung
        CHECK_FALSE(t.ident().has_value());
        CHECK_FALSE(t.native_id().has_value());
        CHECK(t.repr().find(", initial)>") != std::string::npos);
        CHECK(raised([&] { t.join(); }) == "RuntimeError: cannot join thread before it is started");
        CHECK_FALSE(contains(enumerate(), t));
    }
    CHECK(failures > 0); // start() does allocate: the failures above were real
    t.join();            // the last try started it
    CHECK(runs == 1);
    CHECK(raised([&] { t.start(); }) == "RuntimeError: threads can only be started once");
}
#endif

TEST_CASE("Thread.join before start raises RuntimeError") {
    Thread t{do_nothing};
    CHECK(raised([&] { t.join(); }) == "RuntimeError: cannot join thread before it is started");
    CHECK(raised([&] { t.join(0.1); }) == "RuntimeError: cannot join thread before it is started");
}

TEST_CASE("Thread.join of the current thread raises RuntimeError") {
    CHECK(raised([] { current_thread().join(); }) == "RuntimeError: cannot join current thread");
    CHECK(raised([] { main_thread().join(); }) == "RuntimeError: cannot join current thread");
    std::string inside;
    Thread t{[&] { inside = raised([] { current_thread().join(); }); }};
    t.start();
    t.join();
    CHECK(inside == "RuntimeError: cannot join current thread");
}

TEST_CASE("Thread.join with a timeout returns while the thread is still alive") {
    Event release;
    Thread t{[&] { release.wait(); }};
    t.start();
    Stopwatch watch;
    t.join(0.2);
    CHECK_TOOK_ABOUT(watch, 0.2);
    CHECK(t.is_alive());
    release.set();
    t.join(30);
    CHECK_FALSE(t.is_alive());
}

TEST_CASE("Thread.join with a zero or negative timeout does not wait") {
    Event release;
    Thread t{[&] { release.wait(); }};
    t.start();
    Stopwatch watch;
    t.join(0);
    t.join(-1);
    CHECK(watch.elapsed() < 1.0);
    CHECK(t.is_alive());
    release.set();
    t.join();
}

TEST_CASE("Thread.is_alive is false before start and after the target returns") {
    Event release;
    Thread t{[&] { release.wait(); }};
    CHECK_FALSE(t.is_alive());
    t.start();
    CHECK(t.is_alive());
    release.set();
    t.join();
    CHECK_FALSE(t.is_alive());
}

TEST_CASE("Thread handle going out of scope does not stop or join the thread") {
    // The thread owns its events (shared_ptr), since nothing here joins it.
    auto release = std::make_shared<Event>(), finished = std::make_shared<Event>();
    {
        Thread t{[release, finished] {
            release->wait();
            finished->set();
        }};
        t.start();
    } // every handle gone: no std::terminate, the thread runs on
    release->set();
    CHECK(finished->wait(30));
}

TEST_CASE("Thread copies refer to the same thread") {
    Event release;
    Thread t{[&] { release.wait(); }};
    Thread copy = t;
    CHECK(copy == t);
    CHECK_FALSE(Thread{do_nothing} == t);
    t.start();
    CHECK(copy.is_alive());
    CHECK(raised([&] { copy.start(); }) == "RuntimeError: threads can only be started once");
    release.set();
    copy.join();
    CHECK_FALSE(t.is_alive());
}

TEST_CASE("Thread.start runs threads concurrently") {
    // Four threads meet at a barrier: only possible if they all run at once.
    Barrier meet(4);
    std::vector<Thread> threads;
    std::atomic<int> passed{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            meet.wait(30);
            ++passed;
        });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(passed == 4);
}

TEST_CASE("Thread.start of more threads than the wasm worker pool") {
    // 24 threads alive at once: more than -sPTHREAD_POOL_SIZE, so wasm must start new Workers.
    constexpr int n = 24;
    Barrier all(n + 1);
    std::atomic<int> counter{0};
    std::vector<Thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&] {
            all.wait(30);
            add_one(&counter);
        });
    for (auto& t : threads) t.start();
    all.wait(30);
    for (auto& t : threads) t.join();
    CHECK(counter == n);
}

// [SECTION] Thread: daemon ---------------------------------------------------------------------

TEST_CASE("Thread.set_daemon after start raises RuntimeError") {
    Event release;
    Thread t{[&] { release.wait(); }};
    t.set_daemon(true);
    CHECK(t.daemon());
    t.set_daemon(false);
    CHECK_FALSE(t.daemon());
    t.start();
    CHECK(raised([&] { t.set_daemon(true); }) == "RuntimeError: cannot set daemon status of active thread");
    release.set();
    t.join();
    CHECK(raised([&] { t.set_daemon(true); }) == "RuntimeError: cannot set daemon status of active thread");
    CHECK_FALSE(t.daemon());
}

TEST_CASE("Thread.daemon is inherited from the creating thread") {
    CHECK_FALSE(main_thread().daemon());
    Thread from_main{do_nothing};
    CHECK_FALSE(from_main.daemon());

    bool inner_daemon = false, inner_explicit = true;
    Thread daemon_thread({.daemon = true}, [&] {
        Thread inner{do_nothing};
        inner_daemon = inner.daemon();
        Thread explicit_one({.daemon = false}, do_nothing);
        inner_explicit = explicit_one.daemon();
    });
    CHECK(daemon_thread.daemon());
    daemon_thread.start();
    daemon_thread.join();
    CHECK(inner_daemon);
    CHECK_FALSE(inner_explicit);
}

// [SECTION] Thread: names, ident, repr ----------------------------------------------------------

TEST_CASE("Thread default name is Thread-N (<lambda>) for a lambda") {
    Thread t{[] {}};
    CHECK(matches(t.name(), "Thread-[0-9]+ \\(<lambda>\\)"));
}

TEST_CASE("Thread default name is Thread-N (fn) with THREADLAB_TARGET") {
    std::atomic<int> counter{0};
    Thread t{THREADLAB_TARGET(add_one), &counter};
    CHECK(matches(t.name(), "Thread-[0-9]+ \\(add_one\\)"));
    t.start();
    t.join();
    CHECK(counter == 1);
}

TEST_CASE("Thread default name is Thread-N for a function C++ cannot name") {
    Thread t{do_nothing};
    CHECK(matches(t.name(), "Thread-[0-9]+"));
}

TEST_CASE("Thread default names count up") {
    Thread a{do_nothing}, b{[] {}};
    long na = thread_number(a.name()), nb = thread_number(b.name());
    CHECK(na > 0);
    CHECK(nb == na + 1);
}

TEST_CASE("Thread name option and set_name") {
    events::Recorder recorder;
    events::add_observer(&recorder);
    Thread t({.name = "worker-7"}, do_nothing);
    CHECK(t.name() == "worker-7");
    CHECK(recorder.thread_name(t.serial()) == "worker-7");
    t.set_name("renamed");
    CHECK(t.name() == "renamed");
    CHECK(recorder.thread_name(t.serial()) == "renamed");
    events::remove_observer(&recorder);
    std::string inside;
    t.start();
    t.join();
    Thread u({.name = "seen-inside"}, [&] { inside = current_thread().name(); });
    u.start();
    u.join();
    CHECK(inside == "seen-inside");
}

TEST_CASE("Thread.ident and native_id are None before start and the thread's ids after") {
    Thread t{do_nothing};
    CHECK_FALSE(t.ident().has_value());
    CHECK_FALSE(t.native_id().has_value());

    Event release;
    unsigned long ident_inside = 0;
    long native_inside = 0;
    Event measured;
    Thread u{[&] {
        ident_inside = get_ident();
        native_inside = get_native_id();
        measured.set();
        release.wait();
    }};
    u.start();
    measured.wait();
    REQUIRE(u.ident().has_value());
    REQUIRE(u.native_id().has_value());
    CHECK(*u.ident() == ident_inside);
    CHECK(*u.native_id() == native_inside);
    CHECK(*u.ident() != get_ident());
    CHECK(*u.native_id() != get_native_id());
    release.set();
    u.join();
    // They stay readable once the thread ended, like Python's.
    CHECK(*u.ident() == ident_inside);
    CHECK(*u.native_id() == native_inside);
}

TEST_CASE("Thread.ident is known inside the running thread at once") {
    // Python's start() waits until the new thread has set its ident, so the target can read it.
    for (int i = 0; i < 20; ++i) {
        std::optional<unsigned long> seen;
        unsigned long actual = 0;
        Thread t{[&] {
            seen = current_thread().ident();
            actual = get_ident();
        }};
        t.start();
        t.join();
        REQUIRE(seen.has_value());
        CHECK(*seen == actual);
    }
}

TEST_CASE("Thread.serial is unique") {
    Thread a{do_nothing}, b{do_nothing};
    CHECK(a.serial() != b.serial());
    CHECK(a.serial() != main_thread().serial());
    CHECK(a.serial() != 0);
}

TEST_CASE("Thread.repr shows name, state, daemon and ident like Python") {
    Thread t({.name = "r"}, do_nothing);
    CHECK(t.repr() == "<Thread(r, initial)>");
    t.set_daemon(true);
    CHECK(t.repr() == "<Thread(r, initial daemon)>");
    t.start();
    t.join();
    CHECK(t.repr() == "<Thread(r, stopped daemon " + std::to_string(*t.ident()) + ")>");
    CHECK(main_thread().repr() == "<_MainThread(MainThread, started " + std::to_string(get_ident()) + ")>");
}

// [SECTION] Module functions --------------------------------------------------------------------

TEST_CASE("current_thread returns the running Thread") {
    std::optional<Thread> seen;
    Thread t{[&] { seen = current_thread(); }};
    t.start();
    t.join();
    REQUIRE(seen.has_value());
    CHECK(*seen == t);
    CHECK(current_thread() == main_thread());
}

TEST_CASE("main_thread is named MainThread and is the thread running main") {
    Thread m = main_thread();
    CHECK(m.name() == "MainThread");
    CHECK(m.is_alive());
    CHECK_FALSE(m.daemon());
    CHECK(m.ident() == get_ident());
    CHECK(m.native_id() == get_native_id());
    std::optional<Thread> from_other;
    Thread t{[&] { from_other = main_thread(); }};
    t.start();
    t.join();
    CHECK(from_other == m);
    CHECK(raised([&] { m.start(); }) == "RuntimeError: threads can only be started once");
}

TEST_CASE("enumerate lists the main thread and alive threads only") {
    Event release;
    Thread t{[&] { release.wait(); }};
    Thread not_started{do_nothing};
    t.start();
    auto alive = enumerate();
    CHECK(contains(alive, main_thread()));
    CHECK(contains(alive, t));
    CHECK_FALSE(contains(alive, not_started));
    release.set();
    t.join();
    CHECK_FALSE(contains(enumerate(), t));
}

TEST_CASE("active_count counts alive threads") {
    std::size_t before = active_count();
    CHECK(before >= 1);
    CHECK(before == enumerate().size());
    Event release;
    std::vector<Thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back([&] { release.wait(); });
    for (auto& t : threads) t.start();
    CHECK(active_count() == before + 3);
    release.set();
    for (auto& t : threads) t.join();
    CHECK(active_count() == before);
}

TEST_CASE("get_ident and get_native_id identify the calling thread") {
    unsigned long ident = get_ident();
    long native = get_native_id();
    CHECK(ident == get_ident());
    CHECK(native == get_native_id());
    unsigned long other_ident = 0;
    long other_native = 0;
    Event release, measured;
    Thread t{[&] {
        other_ident = get_ident();
        other_native = get_native_id();
        measured.set();
        release.wait(); // both alive at once: ids are unique among alive threads
    }};
    t.start();
    measured.wait();
    CHECK(other_ident != ident);
    CHECK(other_native != native);
    release.set();
    t.join();
}

#ifndef THREADLAB_SIM // sim: every thread is a fiber of one OS thread; there are no foreign threads
TEST_CASE("A foreign std::thread sees a Dummy-N current_thread") {
    std::string name, repr;
    bool daemon = false, alive = false, listed = false, idents_match = false;
    std::string join_error;
    std::optional<Thread> dummy;
    bool same_again = false;
    Event captured, release;
    std::thread foreign([&] {
        Thread me = current_thread();
        dummy = me;
        name = me.name();
        daemon = me.daemon();
        alive = me.is_alive();
        listed = contains(enumerate(), me);
        idents_match = me.ident() == get_ident();
        repr = me.repr();
        same_again = current_thread() == me; // the same Dummy every time
        captured.set();
        release.wait(30);
    });
    REQUIRE(captured.wait(30));
    join_error = raised([&] { dummy->join(0.1); }); // from another thread: still not joinable
    release.set();
    foreign.join();
    CHECK(same_again);
    CHECK(matches(name, "Dummy-[0-9]+"));
    CHECK(daemon);
    CHECK(alive);
    CHECK(listed);
    CHECK(idents_match);
    CHECK(matches(repr, "<_DummyThread\\(Dummy-[0-9]+, started daemon [0-9]+\\)>"));
    CHECK(join_error == "AssertionError: cannot join a dummy thread"); // Python 3.11's assert
    REQUIRE(dummy.has_value());
    CHECK_FALSE(contains(enumerate(), *dummy)); // removed when its OS thread ended
}

TEST_CASE("A Thread made in a foreign std::thread is a daemon, inherited from the Dummy") {
    bool daemon = false;
    std::thread foreign([&] {
        Thread t{do_nothing};
        daemon = t.daemon();
        t.start();
        t.join();
    });
    foreign.join();
    CHECK(daemon);
}
#endif

// [SECTION] excepthook --------------------------------------------------------------------------

namespace {
struct Captured {
    std::mutex mutex;
    int calls = 0;
    std::string exc_type, thread_name, described;
    bool had_thread = false;
};

// Installs a capturing excepthook; restores the default (nullptr) when destroyed.
struct HookGuard {
    explicit HookGuard(Captured& c) {
        excepthook = [&c](const ExceptHookArgs& args) {
            std::lock_guard lock(c.mutex);
            ++c.calls;
            c.exc_type = args.exc_type;
            c.had_thread = args.thread.has_value();
            if (args.thread) c.thread_name = args.thread->name();
            c.described = describe_exception(args.exc_value);
        };
    }
    ~HookGuard() { excepthook = nullptr; }
};
} // namespace

TEST_CASE("excepthook receives the exception, its type and the thread") {
    Captured captured;
    {
        HookGuard guard(captured);
        Thread t({.name = "worker"}, [] { throw ValueError("boom"); });
        t.start();
        t.join();
        CHECK_FALSE(t.is_alive());
    }
    CHECK(captured.calls == 1);
    CHECK(captured.exc_type == "ValueError");
    CHECK(captured.had_thread);
    CHECK(captured.thread_name == "worker");
    CHECK(captured.described == "ValueError: boom");
}

TEST_CASE("excepthook gets the C++ type name of a non-Threadlab exception") {
    Captured captured;
    {
        HookGuard guard(captured);
        Thread t({.name = "cpp"}, [] { throw std::out_of_range("index 3"); });
        t.start();
        t.join();
    }
    CHECK(captured.calls == 1);
    CHECK(captured.exc_type == "std::out_of_range");
    CHECK(captured.described == "std::out_of_range: index 3");
}

TEST_CASE("excepthook assigned nullptr restores default_excepthook") {
    Captured captured;
    { HookGuard guard(captured); } // installs, then assigns nullptr
    CaptureFd err(2);
    Thread t({.name = "after-restore"}, [] { throw ValueError("boom"); });
    t.start();
    t.join();
    std::string text = err.text();
    CHECK(captured.calls == 0);
    if (CaptureFd::available) CHECK(text.find("Exception in thread after-restore:\nValueError: boom\n") != std::string::npos);
}

TEST_CASE("default_excepthook prints Exception in thread NAME and the error on stderr") {
    Thread named({.name = "NAME"}, do_nothing);
    ExceptHookArgs args{std::make_exception_ptr(ValueError("boom")), "ValueError", named};
    CaptureFd err(2);
    default_excepthook(args);
    excepthook(args); // the default when nothing was assigned
    if (CaptureFd::available) CHECK(err.text() == "Exception in thread NAME:\nValueError: boom\nException in thread NAME:\nValueError: boom\n");
}

TEST_CASE("excepthook that raises is reported as Exception in threading.excepthook") {
    excepthook = [](const ExceptHookArgs&) { throw RuntimeError("hook failed"); };
    CaptureFd err(2);
    Thread t{[] { throw ValueError("boom"); }};
    t.start();
    t.join();
    std::string text = err.text();
    excepthook = nullptr;
    if (CaptureFd::available) CHECK(text.find("Exception in threading.excepthook:\nRuntimeError: hook failed\n") != std::string::npos);
}

TEST_CASE("A thread that throws SystemExit (exit_thread()) ends quietly, a custom excepthook still sees it") {
    std::atomic<bool> after_exit{false};
    {
        CaptureFd err(2);
        Thread t{[&] {
            exit_thread(); // Python's sys.exit() in a thread
            after_exit = true;
        }};
        t.start();
        t.join();
        Thread u{[] { throw SystemExit("bye"); }};
        u.start();
        u.join();
        CHECK(err.text().empty()); // the default excepthook prints nothing for SystemExit
    }
    CHECK_FALSE(after_exit);
    std::string seen;
    excepthook = [&](const ExceptHookArgs& args) { seen = args.exc_type; };
    Thread v{[] { exit_thread(); }};
    v.start();
    v.join();
    excepthook = nullptr;
    CHECK(seen == "SystemExit");
}

// [SECTION] local<T> ----------------------------------------------------------------------------

TEST_CASE("local gives each thread its own value") {
    local<int> value;
    *value = 1;
    std::vector<int> seen(4, -1);
    std::vector<Thread> threads;
    Barrier all_set(4);
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&, i] {
            int before = value.get(); // default-made T{}
            *value = 100 + i;
            all_set.wait(30); // everyone has written before anyone reads
            seen[i] = before == 0 ? value.get() : -2;
        });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(seen == std::vector<int>{100, 101, 102, 103});
    CHECK(*value == 1);
}

TEST_CASE("local makes a thread's value with the initializer on its first access") {
    std::atomic<int> made{0};
    local<std::string> name([&] {
        ++made;
        return std::string("fresh");
    });
    CHECK(name->size() == 5);
    name.get() += "!";
    CHECK(*name == "fresh!");
    CHECK(made == 1);
    std::string other;
    Thread t{[&] { other = *name; }};
    t.start();
    t.join();
    CHECK(other == "fresh");
    CHECK(made == 2);
}

namespace {
struct Counted {
    static inline std::atomic<int> made{0};
    static inline std::atomic<int> destroyed{0};
    int x = 0;
    Counted() { ++made; }
    Counted(const Counted& other) : x(other.x) { ++made; }
    Counted(Counted&& other) noexcept : x(other.x) { ++made; }
    ~Counted() { ++destroyed; }
};
} // namespace

TEST_CASE("local value is destroyed when its thread ends") {
    Counted::made = 0;
    Counted::destroyed = 0;
    local<Counted> data;
    std::vector<Thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back([&, i] { data->x = i; });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    CHECK(Counted::made > 0);
    // Python clears a thread's locals before join() returns.
    CHECK(Counted::destroyed == Counted::made);
}

TEST_CASE("local value of a thread is destroyed eventually after the thread ends") {
    Counted::made = 0;
    Counted::destroyed = 0;
    local<Counted> data;
    Thread t{[&] { data->x = 1; }};
    t.start();
    t.join();
    CHECK(eventually([] { return Counted::destroyed == Counted::made; }));
}

TEST_CASE("local values are destroyed with the local object") {
    Counted::made = 0;
    Counted::destroyed = 0;
    {
        local<Counted> data;
        data->x = 5;
        CHECK(data->x == 5);
        CHECK(Counted::destroyed < Counted::made);
    }
    CHECK(Counted::destroyed == Counted::made);
}

// [SECTION] Timer -------------------------------------------------------------------------------

TEST_CASE("Timer runs the function after its interval") {
    Event ran;
    double called_after = -1;
    Stopwatch watch;
    Timer timer{0.2, [&](int v) {
                    called_after = watch.elapsed();
                    if (v == 7) ran.set();
                },
                7};
    CHECK(matches(timer.name(), "Thread-[0-9]+"));
    timer.start();
    CHECK(ran.wait(30));
    timer.join();
    CHECK(called_after >= 0.19);
    CHECK(called_after < 2.0);
    CHECK_FALSE(timer.is_alive());
}

TEST_CASE("Timer.cancel prevents the function from running") {
    std::atomic<bool> ran{false};
    Timer timer{0.3, [&] { ran = true; }};
    timer.start();
    Stopwatch watch;
    timer.cancel();
    timer.join();
    CHECK(watch.elapsed() < 0.25); // cancel wakes the timer at once
    CHECK_FALSE(ran);
}

TEST_CASE("Timer.cancel before start prevents the function from running") {
    std::atomic<bool> ran{false};
    Timer timer{0.05, [&] { ran = true; }};
    timer.cancel();
    timer.start();
    timer.join();
    CHECK_FALSE(ran);
}

TEST_CASE("Timer.repr reads <Timer(Thread-N, initial)>, as CPython's") {
    Timer timer{10, [] {}};
    CHECK(matches(timer.repr(), "<Timer\\(Thread-[0-9]+, initial\\)>"));
    timer.start();
    CHECK(matches(timer.repr(), "<Timer\\(Thread-[0-9]+, started [0-9]+\\)>"));
    timer.cancel();
    timer.join();
    CHECK(matches(timer.repr(), "<Timer\\(Thread-[0-9]+, stopped [0-9]+\\)>"));
}

// [SECTION] sleep, perf_counter -----------------------------------------------------------------

TEST_CASE("sleep with a negative value raises ValueError") {
    CHECK(raised([] { sleep(-1); }) == "ValueError: sleep length must be non-negative");
    CHECK(raised([] { sleep(-0.5); }) == "ValueError: sleep length must be non-negative");
    CHECK(raised([] { sleep(std::nan("")); }) == "ValueError: Invalid value NaN (not a number)");
}

TEST_CASE("sleep suspends the caller for the given seconds") {
    Stopwatch watch;
    sleep(0.2);
    CHECK_TOOK_ABOUT(watch, 0.2);
    Stopwatch zero;
    sleep(0);
    sleep(0.0f);
    CHECK(zero.elapsed() < 1.0);
}

TEST_CASE("perf_counter never goes backwards") {
    double previous = perf_counter();
    for (int i = 0; i < 1000; ++i) {
        double now = perf_counter();
        CHECK(now >= previous);
        previous = now;
    }
}
