// Chrome trace-event JSON from ThreadStates; the process-wide trace Recorder and THREADLAB_TRACE.
//
// [SECTION] JSON
// [SECTION] The process-wide Recorder
// [SECTION] THREADLAB_TRACE
#include "trace_export.hpp"

#include "errors.hpp"
#include "thread.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace threadlab::events {

// [SECTION] JSON --------------------------------------------------------------------------------

namespace {
constexpr int pid = 1;
constexpr std::int64_t gil_tid = 0x7fffffff;

std::string lane_name(const Lane& lane, const std::function<std::string(std::uint32_t)>& name_of,
                      std::unordered_map<std::uint32_t, std::string>& live) {
    if (!lane.name.empty()) return lane.name;
    if (name_of) {
        std::string name = name_of(lane.serial);
        if (!name.empty()) return name;
    }
    // Named before recording began (MainThread, usually): ask the live threads, once.
    if (live.empty())
        for (const Thread& thread : enumerate()) live.emplace(thread.serial(), thread.name());
    auto found = live.find(lane.serial);
    if (found != live.end()) return found->second;
    return "Thread (serial " + std::to_string(lane.serial) + ")";
}
} // namespace

std::string chrome_trace_json(const ThreadStates& states, const std::function<std::string(std::uint32_t)>& name_of) {
    using nlohmann::json;
    const auto& lanes = states.lanes();

    double origin = states.latest();
    for (const Lane& lane : lanes) {
        if (lane.started >= 0) origin = std::min(origin, lane.started);
        if (!lane.slices.empty()) origin = std::min(origin, lane.slices.front().begin);
        if (!lane.gil.empty()) origin = std::min(origin, lane.gil.front().begin);
    }
    if (origin < 0) origin = 0;
    const double latest = std::max(states.latest(), origin);
    auto us = [&](double seconds) { return (seconds - origin) * 1e6; };
    auto end_of = [&](const Slice& s) { return s.end < 0 ? latest : s.end; };

    std::vector<std::string> names;
    names.reserve(lanes.size());
    std::unordered_map<std::uint32_t, std::string> live;
    for (const Lane& lane : lanes) names.push_back(lane_name(lane, name_of, live));
    auto name_of_serial = [&](std::uint32_t serial) -> std::string {
        if (const Lane* lane = states.lane(serial)) return names[static_cast<std::size_t>(lane - lanes.data())];
        return name_of ? name_of(serial) : std::string();
    };

    json events = json::array();
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"tid", 0}, {"args", {{"name", "threadlab"}}}});
    bool any_gil = false;
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        const Lane& lane = lanes[i];
        events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", lane.serial},
                          {"args", {{"name", names[i]}}}});
        events.push_back({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", pid}, {"tid", lane.serial},
                          {"args", {{"sort_index", i}}}});
        for (const Slice& s : lane.slices) {
            json args = json::object();
            if (s.state != State::running) {
                args["object"] = s.object_name.empty() ? std::string(object_kind_name(s.object_kind)) : s.object_name;
                if (s.holder) args["holder"] = name_of_serial(s.holder) + " (serial " + std::to_string(s.holder) + ")";
                if (s.task) args["task"] = s.task;
            }
            events.push_back({{"ph", "X"}, {"name", state_name(s.state)}, {"cat", "state"}, {"pid", pid},
                              {"tid", lane.serial}, {"ts", us(s.begin)}, {"dur", us(end_of(s)) - us(s.begin)},
                              {"args", std::move(args)}});
        }
        any_gil = any_gil || !lane.gil.empty();
    }
    if (any_gil) {
        events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", gil_tid},
                          {"args", {{"name", "GIL"}}}});
        events.push_back({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", pid}, {"tid", gil_tid},
                          {"args", {{"sort_index", -1}}}});
        for (std::size_t i = 0; i < lanes.size(); ++i)
            for (const Slice& s : lanes[i].gil)
                events.push_back({{"ph", "X"}, {"name", names[i]}, {"cat", "gil"}, {"pid", pid}, {"tid", gil_tid},
                                  {"ts", us(s.begin)}, {"dur", us(end_of(s)) - us(s.begin)},
                                  {"args", {{"holder", names[i] + " (serial " + std::to_string(lanes[i].serial) + ")"}}}});
    }
    std::uint64_t id = 0;
    for (const Flow& flow : states.flows()) {
        ++id;
        const char* name = flow_name(flow.kind);
        events.push_back({{"ph", "s"}, {"name", name}, {"cat", "flow"}, {"id", id}, {"pid", pid},
                          {"tid", flow.from_thread}, {"ts", us(flow.from_time)}});
        events.push_back({{"ph", "f"}, {"bp", "e"}, {"name", name}, {"cat", "flow"}, {"id", id}, {"pid", pid},
                          {"tid", flow.to_thread}, {"ts", us(flow.to_time)}});
    }
    json trace = {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
    return trace.dump();
}

// [SECTION] The process-wide Recorder -----------------------------------------------------------

namespace {
std::atomic<Recorder*> trace_recorder{nullptr};
::threadlab::detail::Mutex& trace_mutex() {
    static ::threadlab::detail::Mutex* m = new ::threadlab::detail::Mutex; // never destroyed: used at exit
    return *m;
}
} // namespace

void start_trace(std::size_t capacity) {
    std::lock_guard lock(trace_mutex());
    if (trace_recorder.load()) return;
    auto* recorder = new Recorder(capacity); // never destroyed: threads may emit during exit
    add_observer(recorder);
    trace_recorder.store(recorder);
}

bool tracing() { return trace_recorder.load() != nullptr; }

void write_chrome_trace(const std::string& path) {
    ThreadStates states;
    Recorder* recorder = trace_recorder.load();
    if (recorder) {
        std::vector<Event> events;
        recorder->read(0, events);
        states.apply(events);
    }
    const std::string text = chrome_trace_json(
        states, [&](std::uint32_t serial) { return recorder ? recorder->thread_name(serial) : std::string(); });
    std::FILE* file = std::fopen(path.c_str(), "wb");
    int error = file ? 0 : errno;
    if (file) {
        if (std::fwrite(text.data(), 1, text.size(), file) != text.size()) error = errno ? errno : EIO;
        if (std::fclose(file) != 0 && !error) error = errno ? errno : EIO;
    }
    if (error) throw OSError("[Errno " + std::to_string(error) + "] " + std::strerror(error) + ": '" + path + "'");
}

// [SECTION] THREADLAB_TRACE ---------------------------------------------------------------------

namespace detail {
namespace {
std::string& trace_path() {
    static std::string* path = new std::string; // never destroyed: read at exit
    return *path;
}
void write_trace_at_exit() {
    try {
        write_chrome_trace(trace_path());
    } catch (const BaseException& error) {
        std::fprintf(stderr, "threadlab: THREADLAB_TRACE: %s: %s\n", error.type_name(), error.what());
    } catch (const std::exception& error) {
        std::fprintf(stderr, "threadlab: THREADLAB_TRACE: %s\n", error.what());
    }
}
} // namespace

// Called once by events.cpp's static initialisation (a file every program links), so that this
// file is linked too.
void start_trace_from_environment() {
    const char* path = std::getenv("THREADLAB_TRACE");
    if (!path || !*path) return;
    std::size_t capacity = 1 << 18;
    if (const char* events = std::getenv("THREADLAB_TRACE_EVENTS")) {
        char* end = nullptr;
        unsigned long long n = std::strtoull(events, &end, 10);
        if (end != events && n > 0) capacity = static_cast<std::size_t>(n);
    }
    trace_path() = path;
    start_trace(capacity);
    std::atexit(write_trace_at_exit);
}
} // namespace detail

} // namespace threadlab::events
