// The playground's one scenario parser (page URL, threadlab.run(), threadlab:run messages, desktop
// flags) and the JSON it reports with. Pure C++: no ImGui, no GL.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>

#include "code_listing.hpp"
#include "preset_catalog.hpp"
#include "presets.hpp"
#include "run_state.hpp"
#include "scenario.hpp"

using namespace playground;

namespace {
std::string error_of(std::string_view query) {
    ParsedScenario parsed = parse_scenario_query(query);
    CHECK(parsed.scenario.has_value() == parsed.error.empty());
    return parsed.error;
}
} // namespace

TEST_CASE("Scenario.parser accepts the tutorial's scenarios") {
    ParsedScenario parsed = parse_scenario_query("?kind=sleep&count=10&seconds=1&mode=threads");
    REQUIRE(parsed.scenario.has_value());
    CHECK(parsed.scenario->count == 10);
    CHECK(parsed.scenario->seconds == 1.0);
    CHECK(parsed.scenario->mode == RunMode::threads);
    CHECK_FALSE(parsed.autorun);
    CHECK(error_of("kind=fetch&latency_ms=300&mode=pool&workers=15&count=15") == "");
    CHECK(error_of("seconds=0.5") == "");
    CHECK(error_of("seconds=.5") == "");
    CHECK(error_of("seconds=1e-1") == "");
    CHECK(error_of("url=/bytes/10&url=/bytes/20") == ""); // url is the one key that repeats
}

TEST_CASE("Scenario.parser starts from a preset by its slug, other keys change it") {
    ParsedScenario ten = parse_scenario_query("preset=ten-threads");
    REQUIRE(ten.scenario.has_value());
    CHECK(ten.scenario->count == 10);
    CHECK(ten.scenario->mode == RunMode::threads);
    ParsedScenario fewer = parse_scenario_query("count=5&preset=download-15"); // order does not matter
    REQUIRE(fewer.scenario.has_value());
    CHECK(fewer.scenario->kind == TaskKind::fetch);
    CHECK(fewer.scenario->mode == RunMode::map);
    CHECK(fewer.scenario->workers == 15);
    CHECK(fewer.scenario->count == 5);
    CHECK(error_of("preset=nope") ==
          "Invalid scenario: preset must be one of ten-threads, thread-basics, current-thread, local-data, pool-submit, "
          "as-completed, pool-map, download-15, download-15-sequential, cpu-bound, thousand-threads, "
          "semaphore-downloads, producer-consumer, race, race-fixed, deadlock, pool-deadlock, got 'nope'");
    CHECK(error_of("preset=ten-threads&preset=pool-map") != "");
    std::set<std::string> slugs;
    for (const auto& preset : presets()) {
        CHECK(slugs.insert(preset.slug).second);
        CHECK(error_of(std::string("preset=") + preset.slug) == "");
        CHECK(find_preset(preset.slug) == &preset);
    }
    CHECK(slugs.size() == 17);
}

TEST_CASE("Scenario.program runs a tutorial program as written: only gil changes it") {
    ParsedScenario local = parse_scenario_query("preset=local-data");
    REQUIRE(local.scenario.has_value());
    CHECK(local.scenario->program == "local-data");
    CHECK(encode_query(to_fields(*local.scenario)) == "program=local-data");
    const ParsedScenario gil = parse_scenario_query("program=producer-consumer&gil=1");
    REQUIRE(gil.scenario.has_value());
    CHECK(encode_query(to_fields(*gil.scenario)) == "program=producer-consumer&gil=1");
    CHECK(parse_scenario_query("program=current-thread&embed=1&lang=python").scenario.has_value());
    // Task keys would be ignored by a program: an error, naming the key.
    CHECK(error_of("preset=producer-consumer&count=3") ==
          "Invalid scenario: 'count' does not apply to program=producer-consumer, which runs the example as "
          "written (only gil changes it)");
    CHECK(error_of("kind=sleep&program=local-data") != "");
    CHECK(error_of("program=nope") ==
          "Invalid scenario: program must be one of ten-threads, thread-basics, current-thread, local-data, "
          "pool-submit, pool-as-completed, pool-map, producer-consumer, deadlock, pool-deadlock, got 'nope'");
    CHECK(error_of("program=") != "");
    // Task keys alone switch a page that showed a program back to tasks.
    const ParsedScenario back = parse_scenario_query("kind=sleep&count=2", *local.scenario);
    REQUIRE(back.scenario.has_value());
    CHECK(back.scenario->program.empty());
    CHECK(back.scenario->count == 2);
    // A program that is its preset's tasks (tasks_form) takes them: ten-threads with seconds=0.5
    // runs the 10 threads of 0.5 s; the other programs refuse (above).
    const ParsedScenario shorter = parse_scenario_query("preset=ten-threads&seconds=0.5");
    REQUIRE(shorter.scenario.has_value());
    CHECK(shorter.scenario->program.empty());
    CHECK(shorter.scenario->count == 10);
    CHECK(shorter.scenario->seconds == 0.5);
    CHECK(parse_scenario_query("preset=ten-threads").scenario->program == "ten-threads");
    CHECK(error_of("preset=as-completed&count=3") != "");
    // The code panel shows the very files that run: examples/local_data.cpp and its .py twin.
    const CodeListing code = code_listing(*local.scenario);
    CHECK(code.cpp.find("local<Data> thread_data;") != std::string::npos);
    CHECK(code.python.find("threading.local()") != std::string::npos);
    CHECK(expected_preview(*local.scenario).lanes.empty());
    CHECK(expected_preview(*parse_scenario_query("program=ten-threads").scenario).lanes.size() == 10);
    for (const auto& preset : presets()) {
        if (preset.scenario.program.empty()) continue;
        const CodeListing listing = code_listing(preset.scenario);
        CHECK_MESSAGE(listing.cpp.find("int main()") != std::string::npos, preset.slug);
        CHECK_MESSAGE(listing.python.find("import ") != std::string::npos, preset.slug);
    }
}

TEST_CASE("Scenario.parser reads the page's keys: embed, panels, lang, theme") {
    ParsedScenario none = parse_scenario_query("kind=sleep");
    CHECK_FALSE(none.any_page_key);
    CHECK_FALSE(none.page.embed);
    ParsedScenario embed = parse_scenario_query("embed=1&panels=code,timeline&lang=python&preset=pool-map");
    REQUIRE(embed.scenario.has_value());
    CHECK(embed.any_page_key);
    CHECK(embed.page.embed);
    CHECK(embed.page.panels == std::vector<std::string>{"code", "timeline"});
    CHECK(embed.page.lang == CodeLanguage::python);
    CHECK(embed.scenario->program == "pool-map");
    CHECK(error_of("panels=timeline,timeline") == "Invalid scenario: panels names 'timeline' twice");
    CHECK(error_of("panels=timeline,chart") ==
          "Invalid scenario: panels takes timeline, console, code and results, got 'chart'");
    CHECK(error_of("panels=") != "");
    CHECK(error_of("lang=rust") == "Invalid scenario: lang must be cpp, python or both, got 'rust'");
    CHECK(error_of("embed=2") == "Invalid scenario: embed must be 1 or 0, got '2'");
    CHECK(parse_scenario_query("theme=light").page.theme == ThemeChoice::light);
    CHECK(parse_scenario_query("theme=auto").page.theme == ThemeChoice::automatic);
    CHECK(parse_scenario_query("theme=dark").page.theme == ThemeChoice::dark);
    CHECK(error_of("theme=blue") == "Invalid scenario: theme must be dark, light or auto, got 'blue'");
    CHECK(error_of("start=click&start=load") != "");
    CHECK(error_of("start=visible") == "");
    CHECK(error_of("start=now") == "Invalid scenario: start must be click, visible or load, got 'now'");
    CHECK(error_of("backend=sim") == "");
    CHECK(error_of("backend=threads") == "");
    CHECK(error_of("backend=fibers") == "Invalid scenario: backend must be sim or threads, got 'fibers'");
    // seed=N: the simulated scheduler's seed; it goes with a program or tasks, and round-trips.
    CHECK(parse_scenario_query("preset=race&seed=42").scenario->seed == 42);
    CHECK(parse_scenario_query("program=local-data&seed=7").scenario->seed == 7);
    CHECK(error_of("seed=0") == "Invalid scenario: seed must be 1..2147483647, got '0'");
    CHECK(parse_scenario(to_fields(*parse_scenario_query("kind=sleep&count=3&seed=9").scenario)).scenario->seed == 9);
    // Keys not given keep the page's current options (threadlab:set-theme on an embed).
    ParsedScenario themed = parse_scenario_query("theme=light", {}, embed.page);
    CHECK(themed.page.embed);
    CHECK(themed.page.panels == std::vector<std::string>{"code", "timeline"});
    CHECK(themed.page.theme == ThemeChoice::light);
}

TEST_CASE("Scenario.parser takes decimal numbers only: no hex, inf, nan or spaces") {
    CHECK(error_of("seconds=0x10") == "Invalid scenario: seconds must be a number of seconds, got '0x10'");
    CHECK(error_of("count=0x10") == "Invalid scenario: count must be a whole number, got '0x10'");
    CHECK(error_of("seconds=inf") != "");
    CHECK(error_of("seconds=nan") != "");
    CHECK(error_of("seconds=1e999") != "");
    CHECK(error_of("seconds=%201") != "");
    CHECK(error_of("seconds=1%20") != "");
    CHECK(error_of("seconds=1e") != "");
    CHECK(error_of("seconds=-") != "");
    CHECK(error_of("seconds=-1") == "Invalid scenario: seconds must be 0..60, got '-1'");
}

TEST_CASE("Scenario.parser rejects a key given twice") {
    CHECK(error_of("count=5&count=6") == "Invalid scenario: 'count' is given twice: give each key once");
    CHECK(error_of("kind=sleep&kind=sleep") != "");
    CHECK(error_of("autorun=1&autorun=0") != "");
}

TEST_CASE("Scenario.parser rejects long values and quotes at most 40 characters, escaped") {
    std::string long_url(3000, 'a');
    CHECK(error_of("url=" + long_url) == "Invalid scenario: 'url' is longer than 2048 characters (3000)");
    std::string long_kind(100, 'k');
    std::string error = error_of("kind=" + long_kind);
    CHECK(error == "Invalid scenario: kind must be sleep, fetch, cpu or increment, got '" + std::string(40, 'k') +
                       "...' (100 characters)");
    CHECK(error_of("kind=%0A%1b[31m") == "Invalid scenario: kind must be sleep, fetch, cpu or increment, got '\\x0a\\x1b[31m'");
}

TEST_CASE("Scenario.parser reads autorun the same way for every caller") {
    CHECK(parse_scenario_query("autorun").autorun);
    CHECK(parse_scenario_query("autorun=").autorun);
    CHECK(parse_scenario_query("autorun=1").autorun);
    CHECK(parse_scenario_query("autorun=true").autorun);
    CHECK_FALSE(parse_scenario_query("autorun=0").autorun);
    CHECK_FALSE(parse_scenario_query("autorun=false").autorun);
    CHECK(error_of("autorun=yes") == "Invalid scenario: autorun must be 1 or 0, got 'yes'");
}

TEST_CASE("RunState.print of several lines is as many console lines, together, the bar keeps the last") {
    RunState run(Scenario{});
    run.add_task(1, "main()");
    run.print("before", 1);
    run.print("Exception in thread Thread-1:\nValueError: boom", 1);
    run.print("");
    RunState::Snapshot snapshot;
    REQUIRE(run.snapshot_if_changed(0, snapshot));
    CHECK(snapshot.console ==
          std::vector<std::string>{"before", "Exception in thread Thread-1:", "ValueError: boom", ""});
    REQUIRE(snapshot.tasks.size() == 1);
    CHECK(snapshot.tasks[0].last_line == "ValueError: boom");
}

TEST_CASE("Scenario.report is JSON that escapes what a run printed") {
    RunState::Snapshot snapshot;
    snapshot.phase = RunPhase::finished;
    snapshot.wall = 1.00049;
    TaskRecord task;
    task.id = 1;
    task.label = "do_something(1)";
    task.thread = "Thread-1 (do_something)";
    task.start = 0.0002;
    task.end = 1.0003;
    task.status = TaskStatus::failed;
    task.error = "line one\nline \"two\"\t\x01 and bad UTF-8: \xff";
    snapshot.tasks.push_back(task);
    snapshot.completion_order = {1};
    snapshot.console = {"Sleeping 1 Second(s)...", "quote \" backslash \\ newline-free"};
    Scenario scenario;
    const std::string text = report_json(snapshot, scenario);
    nlohmann::json report = nlohmann::json::parse(text); // throws on invalid JSON
    CHECK(report["status"] == "finished");
    CHECK(report["wall_ms"] == 1000.5);
    CHECK(report["tasks"][0]["error"].get<std::string>().starts_with("line one\nline \"two\"\t\x01"));
    CHECK(report["tasks"][0]["start_ms"] == 0.2);
    CHECK(report["console"] == "Sleeping 1 Second(s)...\nquote \" backslash \\ newline-free\n");
    CHECK(report["scenario"] == "kind=sleep&count=10&mode=threads&seconds=1");
    CHECK(report["completion_order"] == nlohmann::json::array({1}));
    CHECK_FALSE(report.contains("frame_ms"));
    FrameTimes frames{3, 16.0, 33.0, 50.0};
    CHECK(report_value(snapshot, scenario, &frames)["frame_ms"]["p95"] == 33.0);
}

TEST_CASE("Scenario.speed-up is the same tasks one after another (count x seconds) over the wall time") {
    RunState::Snapshot snapshot;
    snapshot.phase = RunPhase::finished;
    snapshot.wall = 2.5;
    for (int id = 1; id <= 4; ++id) {
        TaskRecord task;
        task.id = id;
        task.start = 0;
        task.end = 2.4; // 4 CPU tasks sharing 2 cores: each one's time includes waiting for a core
        task.status = TaskStatus::done;
        snapshot.tasks.push_back(task);
    }
    Scenario cpu;
    cpu.kind = TaskKind::cpu;
    cpu.count = 4;
    cpu.seconds = 1;
    const SpeedUp speed = speed_up(snapshot, cpu);
    CHECK(speed.sequential == 4.0);
    CHECK(speed.wall == 2.5);
    CHECK(speed.factor() == doctest::Approx(4 * 1.0 / 2.5));
    nlohmann::json report = nlohmann::json::parse(report_json(snapshot, cpu));
    CHECK(report["sequential_ms"] == 4000.0);
    CHECK(report["speedup"] == 1.6);     // not the sum of task times over the wall time (3.84)
    CHECK(report["task_ms_sum"] == 9600.0);

    Scenario sleep; // 10 x 1 s
    snapshot.wall = 1.25;
    CHECK(speed_up(snapshot, sleep).factor() == doctest::Approx(8.0));

    // A program that is its preset's tasks is measured as them (ten-threads: 10 threads x 1 s,
    // with the run's GIL setting); other programs are not.
    const Scenario ten = *parse_scenario_query("program=ten-threads&gil=1").scenario;
    CHECK(speed_up(snapshot, ten).sequential == 10.0);
    CHECK(speed_up(snapshot, ten).factor() == doctest::Approx(8.0));
    CHECK(gil_lesson(snapshot, ten).find("With the GIL, 10 sleeps took 1.25 s against 10.00 s") == 0);
    CHECK(nlohmann::json::parse(report_json(snapshot, ten))["sequential_ms"] == 10000.0);
    CHECK(speed_up(snapshot, *parse_scenario_query("program=local-data").scenario).sequential < 0);

    Scenario fetch; // downloads: how long one after another depends on the network
    fetch.kind = TaskKind::fetch;
    CHECK(speed_up(snapshot, fetch).sequential < 0);
    CHECK(speed_up(snapshot, fetch).factor() < 0);
    report = nlohmann::json::parse(report_json(snapshot, fetch));
    CHECK(report["sequential_ms"].is_null());
    CHECK(report["speedup"].is_null());

    // No speed-up while running, once cancelled, or when a task did not finish.
    snapshot.tasks[3].status = TaskStatus::failed;
    CHECK(speed_up(snapshot, cpu).factor() < 0);
    CHECK(speed_up(snapshot, cpu).sequential == 4.0);
    snapshot.tasks[3].status = TaskStatus::done;
    snapshot.phase = RunPhase::cancelled;
    CHECK(speed_up(snapshot, cpu).factor() < 0);
    snapshot.phase = RunPhase::running;
    snapshot.wall = -1;
    CHECK(speed_up(snapshot, cpu).factor() < 0);
    CHECK(nlohmann::json::parse(report_json(snapshot, cpu))["speedup"].is_null());
}

TEST_CASE("Scenario.slow thread starts: many threads waiting to begin, how fast they begin, how long is left") {
    // 1000 threads made at once, 3 s ago: 100 have begun, 900 still wait (for their Web Workers).
    RunState::Snapshot snapshot;
    snapshot.phase = RunPhase::running;
    snapshot.now = 3.0;
    for (int id = 1; id <= 1000; ++id) {
        TaskRecord task;
        task.id = id;
        if (id <= 100) {
            task.start = 0.03 * id;
            task.status = TaskStatus::running;
        }
        snapshot.tasks.push_back(task);
    }
    const Scenario thousand = *parse_scenario_query("preset=thousand-threads").scenario;
    const std::optional<SlowThreadStarts> starts = slow_thread_starts(snapshot, thousand);
    REQUIRE(starts);
    CHECK(starts->waiting == 900);
    CHECK(starts->per_second == doctest::Approx(100 / 3.0));
    CHECK(starts->seconds_left == doctest::Approx(27.0));
    // The program makes threads as earlier ones start: those not made yet are still to start.
    RunState::Snapshot made = snapshot;
    made.tasks.resize(200);
    REQUIRE(slow_thread_starts(made, thousand));
    CHECK(slow_thread_starts(made, thousand)->waiting == 100);
    CHECK(slow_thread_starts(made, thousand)->to_start == 900);
    CHECK(slow_thread_starts(made, thousand)->seconds_left == doctest::Approx(27.0));

    // Not while tasks wait for something else, nor once the run is over.
    CHECK_FALSE(slow_thread_starts(snapshot, *parse_scenario_query("preset=thousand-threads&mode=pool&workers=5").scenario));
    CHECK_FALSE(slow_thread_starts(snapshot, *parse_scenario_query("preset=thousand-threads&limit=3").scenario));
    snapshot.phase = RunPhase::finished;
    CHECK_FALSE(slow_thread_starts(snapshot, thousand));
    snapshot.phase = RunPhase::running;

    // Nor for a few threads, or for threads made a moment ago; before any has begun, no estimate.
    snapshot.tasks.resize(100 + SlowThreadStarts::kMinWaiting - 1);
    CHECK_FALSE(slow_thread_starts(snapshot, thousand));
    snapshot.tasks.assign(1000, TaskRecord{});
    for (TaskRecord& task : snapshot.tasks) task.queued_at = snapshot.now - SlowThreadStarts::kWaitedSeconds / 2;
    CHECK_FALSE(slow_thread_starts(snapshot, thousand));
    snapshot.tasks.assign(1000, TaskRecord{}); // made at 0, none begun
    const std::optional<SlowThreadStarts> none_begun = slow_thread_starts(snapshot, thousand);
    REQUIRE(none_begun);
    CHECK(none_begun->waiting == 1000);
    CHECK(none_begun->seconds_left < 0);
}

TEST_CASE("Catalog.preview lays tasks out as threads, a pool's workers or one after another") {
    Scenario ten = find_preset("ten-threads")->scenario; // its tasks, without the program
    ten.program.clear();
    const Preview threads = expected_preview(ten);
    REQUIRE(threads.lanes.size() == 10);
    CHECK(threads.lanes[9].thread == "Thread-10");
    CHECK(threads.lanes[9].tasks == std::vector<std::pair<double, double>>{{0.0, 1.0}});
    CHECK(threads.wall_seconds == 1.0);

    Scenario ten_on_five = ten; // 10 tasks, 5 workers
    ten_on_five.mode = RunMode::pool;
    ten_on_five.workers = 5;
    const Preview pool = expected_preview(ten_on_five);
    REQUIRE(pool.lanes.size() == 5);
    CHECK(pool.lanes[0].thread == "ThreadPoolExecutor-0_0");
    CHECK(pool.lanes[4].tasks == std::vector<std::pair<double, double>>{{0.0, 1.0}, {1.0, 2.0}});
    CHECK(pool.wall_seconds == 2.0);

    const Preview sequential = expected_preview(find_preset("download-15-sequential")->scenario);
    REQUIRE(sequential.lanes.size() == 1);
    CHECK(sequential.lanes[0].thread == "MainThread");
    CHECK(sequential.lanes[0].tasks.size() == 15);
    CHECK(sequential.wall_seconds == doctest::Approx(4.5)); // 15 x 300 ms latency

    const Preview thousand = expected_preview(find_preset("thousand-threads")->scenario);
    CHECK(thousand.lanes.size() == 12);
    CHECK(thousand.hidden_lanes == 988);
    CHECK(thousand.wall_seconds == 1.0);
}

TEST_CASE("Catalog lists every preset with its title, code and preview, and the page's keys") {
    const nlohmann::json catalog = nlohmann::json::parse(json_text(preset_catalog()));
    CHECK(catalog["default"] == "ten-threads"); // what a URL without scenario keys runs
    REQUIRE(catalog["presets"].size() == presets().size());
    for (const auto& entry : catalog["presets"]) {
        CAPTURE(entry["slug"].get<std::string>());
        const Preset* preset = find_preset(entry["slug"].get<std::string>());
        REQUIRE(preset != nullptr);
        CHECK(entry["title"] == preset->name);
        CHECK(entry["cpp"].get<std::string>().find("#include <threadlab/threadlab.hpp>") != std::string::npos);
        CHECK(entry["python"].get<std::string>().find("import ") != std::string::npos);
        // A program's threads are known when it runs (the page then says so instead of a figure),
        // unless it is its preset's tasks.
        const bool drawn = preset->scenario.program.empty() || preset->tasks_form;
        CHECK(entry["preview"]["lanes"].empty() == !drawn);
        CHECK((entry["preview"]["wall_seconds"].get<double>() > 0) == drawn);
    }
    // Each page key is one the parser takes as the page's, not the scenario's.
    const std::map<std::string, std::string> valid = {{"start", "click"}, {"panels", "code"}, {"lang", "cpp"},
                                                      {"theme", "light"}, {"backend", "sim"}};
    REQUIRE(catalog["page_keys"].size() == kPageKeys.size());
    for (const std::string key : catalog["page_keys"]) {
        CAPTURE(key);
        const auto it = valid.find(key);
        const ParsedScenario parsed = parse_scenario({{key, it == valid.end() ? "1" : it->second}});
        CHECK(parsed.error == "");
        CHECK_FALSE(parsed.any_scenario_key);
    }
}

TEST_CASE("Scenario.parser reads the race: kind=increment, increments, lock") {
    ParsedScenario parsed = parse_scenario_query("preset=race");
    REQUIRE(parsed.scenario.has_value());
    CHECK(parsed.scenario->kind == TaskKind::increment);
    CHECK(parsed.scenario->count == 4);
    CHECK(parsed.scenario->increments == 1000000);
    CHECK_FALSE(parsed.scenario->lock);
    CHECK(parse_scenario_query("preset=race-fixed").scenario->lock);
    CHECK(encode_query(to_fields(*parse_scenario_query("preset=race-fixed&increments=50").scenario)) ==
          "kind=increment&count=4&mode=threads&increments=50&lock=1");
    CHECK(error_of("kind=increment&increments=0") == "Invalid scenario: increments must be 1..10000000, got '0'");
    CHECK(error_of("kind=increment&lock=maybe").find("lock") != std::string::npos);
    // The listing is the program that runs: shared<long>'s read-then-write, the Lock when fixed.
    const CodeListing race = code_listing(find_preset("race")->scenario);
    CHECK(race.cpp.find("shared<long> counter{0};") != std::string::npos);
    CHECK(race.cpp.find("counter += 1;  // read, add, write: not one step") != std::string::npos);
    CHECK(race.cpp.find("Lock lock;") == std::string::npos);
    CHECK(race.python.find("counter += 1") != std::string::npos);
    CHECK(race.python.find("expected 4000000, got {counter}") != std::string::npos);
    const CodeListing fixed = code_listing(find_preset("race-fixed")->scenario);
    CHECK(fixed.cpp.find("std::lock_guard<Lock> with_lock(lock);") != std::string::npos);
    CHECK(fixed.python.find("with lock:") != std::string::npos);
    CHECK_FALSE(expected_preview(find_preset("race")->scenario).timed);
}

TEST_CASE("Scenario.limit: at most N tasks at once, a BoundedSemaphore in the program and its listing") {
    const Scenario s = find_preset("semaphore-downloads")->scenario;
    CHECK(s.limit == 3);
    CHECK(encode_query(to_fields(s)).find("&limit=3") != std::string::npos);
    CHECK(error_of("limit=1001") == "Invalid scenario: limit must be 0..1000, got '1001'");
    const CodeListing code = code_listing(s);
    CHECK(code.cpp.find("BoundedSemaphore sem{3};  // at most 3 at once\n\nvoid download_image(std::string img_url) {\n"
                        "    std::lock_guard<BoundedSemaphore> with_sem(sem);  // with sem:\n") != std::string::npos);
    CHECK(code.python.find("sem = threading.BoundedSemaphore(3)  # at most 3 at once\n\ndef download_image(img_url):\n"
                           "    with sem:\n        img_bytes = requests.get(img_url).content\n") != std::string::npos);
    // The race keeps `global counter` first, then the with block.
    Scenario race = find_preset("race")->scenario;
    race.limit = 2;
    CHECK(code_listing(race).python.find("    global counter\n    with sem:\n        for _ in range(times):\n") !=
          std::string::npos);
    // 15 downloads of 300 ms, 3 at a time: five waves, one lane per thread.
    const Preview preview = expected_preview(s);
    CHECK(preview.wall_seconds == doctest::Approx(1.5));
    CHECK(preview.lanes.size() + preview.hidden_lanes == 15);
    CHECK(preview.lanes[3].tasks == std::vector<std::pair<double, double>>{{0.3, 0.6}});
}
