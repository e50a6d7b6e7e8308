// The GIL emulation (gil.hpp): off, it changes nothing; on, CPU work is serialised and handed
// over at checkpoints every switch interval, and a blocking call lets the others run.
#include "helpers.hpp"

#include <threadlab/gil.hpp>


using namespace testing;
namespace gil = threadlab::gil;

namespace {
// CPU work of `seconds` (busy, not sleeping), counted only while running - not while a
// checkpoint waits to get the GIL back - with the eval breaker reached every ~0.1 ms, as a
// thread's Python code would reach it.
void spin(double seconds) {
    double ran = 0;
    while (ran < seconds) {
        const double start = tl::perf_counter();
        while (tl::perf_counter() - start < 0.0001) {
        }
        ran += tl::perf_counter() - start;
        gil::checkpoint();
    }
}

struct Enabled {
    Enabled() { gil::set_enabled(true); }
    ~Enabled() { gil::set_enabled(false); gil::set_switch_interval(0.005); }
};
} // namespace

TEST_CASE("GIL.off: acquire, release and checkpoint do nothing") {
    REQUIRE_FALSE(gil::enabled());
    gil::acquire();
    CHECK_FALSE(gil::held());
    gil::checkpoint();
    gil::release();
    gil::Released released;
    CHECK_FALSE(gil::held());
}

TEST_CASE("GIL.misuse: taking it twice or giving back what is not held is a RuntimeError") {
    Enabled on;
    gil::acquire();
    CHECK(gil::held());
    CHECK(raised([] { gil::acquire(); }) == "RuntimeError: the GIL is already held by this thread");
    gil::release();
    CHECK_FALSE(gil::held());
    CHECK(raised([] { gil::release(); }) == "RuntimeError: release of a GIL this thread does not hold");
    CHECK(raised([] { gil::set_switch_interval(0); }) == "ValueError: switch interval must be strictly positive");
    CHECK(gil::switch_interval() == 0.005);
}

TEST_CASE("GIL.cpu: two CPU-bound threads take as long as one after the other, switching every interval") {
    Enabled on;
    Stopwatch watch;
    std::vector<tl::Thread> threads;
    for (int i = 0; i < 2; ++i)
        threads.push_back(started([] { // a Thread takes the GIL as it starts
            spin(0.15);
        }));
    for (auto& t : threads) t.join();
    // Serialised: at least the sum, whatever the cores (0.15 s each, measured while holding).
    CHECK(watch.elapsed() >= 0.29);
    // Handed over at checkpoints, not run one after the other: 0.15 s / 5 ms gives ~30 switches.
    CHECK(gil::switches() >= 5);
}

TEST_CASE("GIL.released: a thread blocked with the GIL given up lets another compute") {
    Enabled on;
    std::atomic<double> computed_at{0};
    double slept_until = 0;
    tl::Thread sleeper = started([&] { // a Thread takes the GIL as it starts
        {
            gil::Released waiting; // as threadlab::sleep does
            tl::sleep(0.3);
        }
        CHECK(gil::held());
        slept_until = tl::perf_counter();
    });
    tl::Thread worker = started([&] {
        tl::sleep(0.02); // the sleeper is asleep by now (and this Thread takes the GIL back)
        spin(0.05);
        computed_at = tl::perf_counter();
    });
    sleeper.join();
    worker.join();
    CHECK(computed_at.load() > 0);
    CHECK(computed_at.load() < slept_until); // done while the other slept
}

TEST_CASE("GIL.handover: a waiting thread gets the GIL from a spinning holder within a few intervals") {
    Enabled on;
    gil::set_switch_interval(0.002);
    std::atomic<bool> stop{false};
    std::atomic<bool> holding{false};
    tl::Thread holder = started([&] { // a Thread takes the GIL as it starts
        holding = true;
        while (!stop) gil::checkpoint();
    });
    REQUIRE(eventually([&] { return holding.load(); }));
    Stopwatch watch;
    gil::acquire(); // waits one interval, asks, and the holder's next checkpoint hands it over
    const double waited = watch.elapsed();
    stop = true;
    gil::release();
    holder.join();
    CHECK(waited < 0.25); // ~2 ms; generous for a loaded machine
}

// Through the event stream: the library's own threads take the GIL when they start, and give it
// up in every blocking call.
TEST_CASE("GIL.threads: Threads computing are serialised, a Thread sleeping is not in the way") {
    Enabled on;
    Stopwatch watch;
    std::vector<tl::Thread> computing;
    for (int i = 0; i < 2; ++i) computing.emplace_back([] { spin(0.15); });
    for (auto& t : computing) t.start();
    for (auto& t : computing) t.join(); // this thread holds no GIL: joining just waits
    CHECK(watch.elapsed() >= 0.29);

    // One Thread sleeps 0.3 s (threadlab::sleep gives the GIL up); another computes 0.1 s
    // meanwhile, and finishes first.
    std::atomic<double> computed_at{0}, slept_at{0};
    tl::Thread sleeper([&] {
        tl::sleep(0.3);
        slept_at = tl::perf_counter();
    });
    tl::Thread worker([&] {
        spin(0.1);
        computed_at = tl::perf_counter();
    });
    sleeper.start();
    worker.start();
    sleeper.join();
    worker.join();
    CHECK(computed_at.load() < slept_at.load());
}

TEST_CASE("GIL.pool: workers waiting for work hold no GIL, two computing tasks take their sum") {
    Enabled on;
    tl::ThreadPoolExecutor executor{{.max_workers = 2}};
    executor.submit([] {}).result(); // a worker exists, and now waits for work
    // Were the idle worker holding the GIL, this Thread could never compute.
    tl::Thread alone([] { spin(0.05); });
    Stopwatch watch;
    alone.start();
    alone.join();
    CHECK(watch.elapsed() < 5);
    Stopwatch both;
    auto a = executor.submit([] { spin(0.15); });
    auto b = executor.submit([] { spin(0.15); });
    a.result();
    b.result();
    CHECK(both.elapsed() >= 0.29);
}
