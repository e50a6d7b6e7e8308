// ThreadStates (thread_states.hpp): the event stream turned into lanes of state slices, GIL spans
// and hand-off flows; and its Chrome trace export (trace_export.hpp).
//
// [SECTION] Helpers
// [SECTION] States and flows
// [SECTION] The GIL
// [SECTION] version()
// [SECTION] Trace export
#include "helpers.hpp"

#include <threadlab/thread_states.hpp>
#include <threadlab/trace_export.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

using namespace threadlab;
using namespace testing;
namespace ev = threadlab::events;
using ev::State;

// [SECTION] Helpers -----------------------------------------------------------------------------

namespace {
struct Recording {
    ev::Recorder recorder;
    Recording() { ev::add_observer(&recorder); }
    ~Recording() { ev::remove_observer(&recorder); }
    ev::ThreadStates states() const {
        std::vector<ev::Event> events;
        recorder.read(0, events);
        ev::ThreadStates states;
        states.apply(events);
        return states;
    }
    std::size_t count(ev::Kind kind, ev::ObjectKind object_kind) const {
        std::vector<ev::Event> events;
        recorder.read(0, events);
        return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const ev::Event& e) {
            return e.kind == kind && e.object_kind == object_kind;
        }));
    }
};

std::uint64_t id(const void* object) { return ev::detail::object_id(object); }
std::uint32_t me() { return current_thread().serial(); }

const ev::Slice* find_slice(const ev::Lane& lane, State state) {
    for (const auto& s : lane.slices)
        if (s.state == state) return &s;
    return nullptr;
}
const ev::Flow* find_flow(const ev::ThreadStates& states, ev::Flow::Kind kind, std::uint32_t from, std::uint32_t to) {
    for (const auto& f : states.flows())
        if (f.kind == kind && f.from_thread == from && f.to_thread == to) return &f;
    return nullptr;
}
// A finished thread's slices: in time order, each closed, each ending where the next begins,
// from its start to its end.
void check_contiguous(const ev::Lane& lane) {
    REQUIRE_FALSE(lane.slices.empty());
    CHECK(lane.finished >= lane.started);
    for (std::size_t i = 0; i < lane.slices.size(); ++i) {
        const auto& s = lane.slices[i];
        CHECK(s.end >= s.begin);
        if (i + 1 < lane.slices.size()) CHECK(lane.slices[i + 1].begin == s.end);
    }
    CHECK(lane.slices.back().end >= lane.slices.back().begin);
}
// The states a finished thread's lane went through, in order (its slices checked contiguous).
std::vector<State> states_seen(const ev::Lane* lane) {
    REQUIRE(lane);
    check_contiguous(*lane);
    std::vector<State> seen;
    for (const auto& s : lane->slices) seen.push_back(s.state);
    return seen;
}
// CPU work with the eval breaker every ~0.1 ms (as test_gil.cpp's spin).
void spin(double seconds) {
    const double start = perf_counter();
    while (perf_counter() - start < seconds) {
        const double chunk = perf_counter();
        while (perf_counter() - chunk < 0.0001) {
        }
        gil::checkpoint();
    }
}
} // namespace

// [SECTION] States and flows --------------------------------------------------------------------

TEST_CASE("ThreadStates.lock: a thread blocked on a held Lock shows which lock and its holder, release -> acquire is a hand-off") {
    Recording rec;
    Lock lock;
    lock.set_name("the_lock");
    lock.acquire();
    Thread t{[&] {
        lock.acquire();
        lock.release();
    }};
    t.start();
    REQUIRE(eventually([&] { return rec.count(ev::Kind::wait_begin, ev::ObjectKind::lock) == 1; }));
    sleep(0.01);
    lock.release();
    t.join();

    auto states = rec.states();
    const ev::Lane* lane = states.lane(t.serial());
    REQUIRE(lane);
    check_contiguous(*lane);
    const ev::Slice* blocked = find_slice(*lane, State::blocked_on_lock);
    REQUIRE(blocked);
    CHECK(blocked->holder == me());
    CHECK(blocked->object == id(&lock));
    CHECK(blocked->object_kind == ev::ObjectKind::lock);
    CHECK(blocked->object_name == "the_lock");
    CHECK(blocked->end - blocked->begin >= 0.005);
    CHECK(lane->slices.front().state == State::running);
    CHECK(lane->slices.back().state == State::running);
    const ev::Flow* handoff = find_flow(states, ev::Flow::lock_handoff, me(), t.serial());
    REQUIRE(handoff);
    CHECK(handoff->object == id(&lock));
    CHECK(handoff->from_time <= handoff->to_time);
    CHECK(std::string(ev::state_name(State::blocked_on_lock)) == "blocked on a lock");
}

TEST_CASE("ThreadStates.event: a waiter on an Event waits on it until set, and set -> wake-up is a flow") {
    Recording rec;
    Event event;
    event.set_name("go");
    Thread t{[&] { event.wait(30); }};
    t.start();
    REQUIRE(eventually([&] { return rec.count(ev::Kind::wait_begin, ev::ObjectKind::event) == 1; }));
    event.set();
    t.join();

    auto states = rec.states();
    const ev::Lane* lane = states.lane(t.serial());
    REQUIRE(lane);
    check_contiguous(*lane);
    const ev::Slice* waiting = find_slice(*lane, State::waiting_event);
    REQUIRE(waiting);
    CHECK(waiting->object_name == "go");
    const ev::Flow* wake = find_flow(states, ev::Flow::wake_up, me(), t.serial());
    REQUIRE(wake);
    CHECK(wake->object == id(&event));
}

TEST_CASE("ThreadStates.condition: notify -> the waiter's wake-up is a flow") {
    Recording rec;
    Condition condition;
    bool ready = false;
    Thread t{[&] {
        condition.acquire();
        while (!ready) condition.wait(30);
        condition.release();
    }};
    t.start();
    REQUIRE(eventually([&] { return rec.count(ev::Kind::wait_begin, ev::ObjectKind::condition) == 1; }));
    condition.acquire();
    ready = true;
    condition.notify();
    condition.release();
    t.join();
    auto states = rec.states();
    REQUIRE(states.lane(t.serial()));
    CHECK(find_slice(*states.lane(t.serial()), State::waiting_condition));
    CHECK(find_flow(states, ev::Flow::wake_up, me(), t.serial()));
}

TEST_CASE("ThreadStates.sleep_io: sleep shows sleeping and an Io shows waiting for IO, named by its label") {
    Recording rec;
    Thread t{[] {
        sleep(0.01);
        ev::Io io("https://example.com/a.jpg");
        sleep(0.01);
        io.end(true);
    }};
    t.start();
    t.join();
    auto states = rec.states();
    const ev::Lane* lane = states.lane(t.serial());
    // The sleep inside the Io is nested: the innermost wait is what the lane shows.
    CHECK(states_seen(lane) == std::vector<State>{State::running, State::sleeping, State::running, State::io, State::sleeping,
                                     State::io, State::running});
    const ev::Slice* io = find_slice(*lane, State::io);
    REQUIRE(io);
    CHECK(io->object_name == "https://example.com/a.jpg");
    const ev::Slice* slept = find_slice(*lane, State::sleeping);
    CHECK(slept->end - slept->begin >= 0.009);
}

TEST_CASE("ThreadStates.sleep_io: an Io that waited for a connection shows that part first, as waiting for a connection") {
    Recording rec;
    Thread t{[] {
        ev::Io queued("https://example.com/b.jpg");
        threadlab::detail::sleep_for(std::chrono::milliseconds(30)); // not a threadlab wait: no event
        queued.end(true, 0.01); // its request went out after 10 ms
        ev::Io never_sent("https://example.com/c.jpg");
        threadlab::detail::sleep_for(std::chrono::milliseconds(5));
        never_sent.end(false, 1.0); // no connection before it failed: all of it
    }};
    t.start();
    t.join();
    auto states = rec.states();
    const ev::Lane* lane = states.lane(t.serial());
    CHECK(states_seen(lane) == std::vector<State>{State::running, State::connecting, State::io, State::running, State::connecting,
                                     State::running});
    const ev::Slice& connecting = lane->slices[1];
    CHECK(connecting.end - connecting.begin == doctest::Approx(0.01).epsilon(0.001));
    CHECK(connecting.object_name == "https://example.com/b.jpg");
    CHECK(lane->slices[2].end - lane->slices[2].begin >= 0.015);
    CHECK(std::string(ev::state_name(State::connecting)) == "waiting for a connection");
}

TEST_CASE("ThreadStates.join: join shows waiting to join, and the thread's end wakes the joiner") {
    Recording rec;
    Thread sleeper{[] { sleep(0.02); }};
    Thread joiner{[&] { sleeper.join(); }};
    sleeper.start();
    joiner.start();
    joiner.join();
    auto states = rec.states();
    const ev::Lane* lane = states.lane(joiner.serial());
    REQUIRE(lane);
    check_contiguous(*lane);
    const ev::Slice* join = find_slice(*lane, State::waiting_join);
    REQUIRE(join);
    CHECK(join->object == sleeper.serial());
    CHECK(find_flow(states, ev::Flow::wake_up, sleeper.serial(), joiner.serial()));
    // Lanes in order of first appearance, keyed by serial, named.
    REQUIRE(states.lane(sleeper.serial()));
    CHECK(states.lane(sleeper.serial()) < lane);
    CHECK(lane->name == joiner.name());
}

TEST_CASE("ThreadStates.pool: submit -> task start is a flow, an idle worker waits for work, tasks run on it") {
    Recording rec;
    std::uint32_t worker = 0;
    {
        ThreadPoolExecutor executor(1);
        auto first = executor.submit([] { sleep(0.01); });
        first.result(30);
        sleep(0.02); // the worker idles
        auto second = executor.submit([] { return 2; });
        CHECK(second.result(30) == 2);
        executor.shutdown();
        worker = executor.threads().at(0).serial();
    }
    auto states = rec.states();
    const ev::Lane* lane = states.lane(worker);
    REQUIRE(lane);
    check_contiguous(*lane);
    CHECK(find_slice(*lane, State::waiting_work));
    CHECK(lane->tasks_run.size() == 2);
    for (const auto& [begin, end] : lane->tasks_run) CHECK(end >= begin);
    int submits = 0;
    for (const auto& f : states.flows())
        if (f.kind == ev::Flow::submit && f.from_thread == me() && f.to_thread == worker) ++submits;
    CHECK(submits == 2);
    // The main thread waited for the first result.
    const ev::Lane* main_lane = states.lane(me());
    REQUIRE(main_lane);
    const ev::Slice* result = find_slice(*main_lane, State::waiting_future);
    REQUIRE(result);
    CHECK(result->task != 0);
    CHECK(find_flow(states, ev::Flow::wake_up, worker, me()));
}

// [SECTION] The GIL -----------------------------------------------------------------------------

TEST_CASE("ThreadStates.gil: GIL spans of two CPU-bound threads never overlap, the other waits for the GIL") {
    gil::set_enabled(true);
    Recording rec;
    std::vector<Thread> threads;
    for (int i = 0; i < 2; ++i) threads.emplace_back([] { spin(0.05); });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    gil::set_enabled(false);
    CHECK(rec.count(ev::Kind::lock_acquired, ev::ObjectKind::gil) >= 4);

    auto states = rec.states();
    std::vector<ev::Slice> spans;
    for (auto& t : threads) {
        const ev::Lane* lane = states.lane(t.serial());
        REQUIRE(lane);
        CHECK(lane->gil.size() >= 2); // handed over at checkpoints
        CHECK(find_slice(*lane, State::waiting_gil));
        for (const auto& span : lane->gil) {
            CHECK(span.end >= span.begin);
            CHECK(span.object_kind == ev::ObjectKind::gil);
            spans.push_back(span);
        }
    }
    std::sort(spans.begin(), spans.end(), [](const ev::Slice& a, const ev::Slice& b) { return a.begin < b.begin; });
    for (std::size_t i = 0; i + 1 < spans.size(); ++i) CHECK(spans[i].end <= spans[i + 1].begin);

    // The trace has a GIL row with one slice per span, named after the holder.
    const auto trace = nlohmann::json::parse(ev::chrome_trace_json(states));
    std::int64_t gil_row = -1;
    std::size_t gil_slices = 0;
    for (const auto& e : trace["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "GIL") gil_row = e["tid"];
    REQUIRE(gil_row > 0);
    for (const auto& e : trace["traceEvents"])
        if (e["ph"] == "X" && e["tid"] == gil_row) {
            ++gil_slices;
            CHECK((e["name"] == threads[0].name() || e["name"] == threads[1].name()));
        }
    CHECK(gil_slices == spans.size());
}

TEST_CASE("ThreadStates.gil: a sleep gives the GIL up - no span covers the sleep") {
    gil::set_enabled(true);
    Recording rec;
    Thread t{[] {
        spin(0.005);
        sleep(0.1);
        spin(0.005);
    }};
    t.start();
    t.join();
    gil::set_enabled(false);
    auto states = rec.states();
    const ev::Lane* lane = states.lane(t.serial());
    REQUIRE(lane);
    const ev::Slice* slept = find_slice(*lane, State::sleeping);
    REQUIRE(slept);
    REQUIRE(lane->gil.size() == 2);
    // The GIL is given up in the first half of the sleep and taken again in the second: a held
    // GIL would end with the sleep. Halves, not a millisecond, so a busy machine cannot fail it.
    const double middle = (slept->begin + slept->end) / 2;
    CHECK(lane->gil[0].end < middle);
    CHECK(lane->gil[1].begin > middle);
}

// [SECTION] version() ---------------------------------------------------------------------------

TEST_CASE("ThreadStates.version: changes when something drawn changes, and only then") {
    ev::ThreadStates states;
    const auto v0 = states.version();
    CHECK(states.version() == v0);
    ev::Event e;
    e.time = 1;
    e.thread = 7;
    e.kind = ev::Kind::thread_started;
    e.object_kind = ev::ObjectKind::thread;
    e.object = 7;
    e.count = 1;
    states.apply(e);
    const auto v1 = states.version();
    CHECK(v1 != v0);
    // An uncontended lock taken and given back draws nothing.
    e.time = 2;
    e.kind = ev::Kind::lock_acquired;
    e.object_kind = ev::ObjectKind::lock;
    e.object = 1234;
    states.apply(e);
    e.kind = ev::Kind::lock_released;
    states.apply(e);
    CHECK(states.version() == v1);
    e.kind = ev::Kind::wait_begin;
    e.object_kind = ev::ObjectKind::sleep;
    e.object = 0;
    states.apply(e);
    CHECK(states.version() != v1);
    REQUIRE(states.lanes().size() == 1);
    CHECK(states.lanes()[0].slices.size() == 2);
    CHECK(states.lanes()[0].slices.back().end < 0); // open
    states.clear();
    CHECK(states.lanes().empty());
}

TEST_CASE("ThreadStates.bounds: flows keep the newest, at most 1.25 x max_flows") {
    ev::ThreadStates states;
    ev::Event e;
    e.kind = ev::Kind::task_submitted;
    for (std::uint64_t task = 1; task <= 30'000; ++task) {
        e.time = static_cast<double>(task);
        e.thread = 1;
        e.kind = ev::Kind::task_submitted;
        e.task = task;
        states.apply(e);
        e.thread = 2;
        e.kind = ev::Kind::task_started;
        states.apply(e);
    }
    CHECK(states.flows().size() >= ev::ThreadStates::max_flows);
    CHECK(states.flows().size() <= ev::ThreadStates::max_flows + ev::ThreadStates::max_flows / 4);
    CHECK(states.flows().back().object == 30'000);
}

// [SECTION] Trace export ------------------------------------------------------------------------

TEST_CASE("trace: chrome_trace_json parses, names one thread per lane, and pairs its flow events") {
    Recording rec;
    Lock lock;
    lock.acquire();
    Thread t{[&] {
        lock.acquire();
        lock.release();
        sleep(0.005);
    }};
    t.start();
    REQUIRE(eventually([&] { return rec.count(ev::Kind::wait_begin, ev::ObjectKind::lock) == 1; }));
    lock.release();
    t.join();
    auto states = rec.states();
    const auto trace = nlohmann::json::parse(ev::chrome_trace_json(states));
    REQUIRE(trace.contains("traceEvents"));
    std::map<std::int64_t, std::string> names;
    std::map<std::uint64_t, int> flow_ends;
    int slices = 0;
    for (const auto& e : trace["traceEvents"]) {
        const std::string ph = e["ph"];
        if (ph == "M" && e["name"] == "thread_name") {
            CHECK(names.count(e["tid"].get<std::int64_t>()) == 0);
            names[e["tid"].get<std::int64_t>()] = e["args"]["name"];
        } else if (ph == "X") {
            ++slices;
            CHECK(e["dur"].get<double>() >= 0);
            CHECK(e["ts"].get<double>() >= 0);
        } else if (ph == "s") {
            flow_ends[e["id"].get<std::uint64_t>()] += 1;
        } else if (ph == "f") {
            flow_ends[e["id"].get<std::uint64_t>()] += 2;
        }
    }
    CHECK(names.size() == states.lanes().size());
    for (const auto& lane : states.lanes()) CHECK(names.count(lane.serial) == 1);
    CHECK(names[t.serial()] == t.name());
    CHECK(names[me()] == current_thread().name());
    CHECK(slices >= 4);
    CHECK(flow_ends.size() == states.flows().size());
    for (const auto& [flow, ends] : flow_ends) CHECK(ends == 3);
}

TEST_CASE("trace: write_chrome_trace raises OSError with Python's message when the file cannot be opened") {
    // errno's number as the platform has it (ENOENT is 2 on Linux, 44 in Emscripten), as Python prints it.
    CHECK(raised([] { ev::write_chrome_trace("no/such/dir/x.json"); }) ==
          "OSError: [Errno " + std::to_string(ENOENT) + "] No such file or directory: 'no/such/dir/x.json'");
}
