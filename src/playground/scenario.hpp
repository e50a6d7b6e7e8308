// playground/scenario.hpp - what to run: the kind of task, how many, and how to run them.
//
// One parser for every way a scenario arrives: the page's URL query, window.threadlab.run({...})
// (which the page turns into the same key=value pairs), and the desktop app's flags.
// Invalid values are rejected with a message a person can act on.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace playground {

// increment: each task adds 1 to one shared counter, `increments` times (a race unless `lock`).
enum class TaskKind { sleep, fetch, cpu, increment };
enum class RunMode {
    threads,    // one threading.Thread per task, then join them all (the tutorial's first example)
    pool,       // ThreadPoolExecutor: submit() each task, then as_completed()
    map,        // ThreadPoolExecutor.map(): results in input order
    sequential, // one after another on the main thread (the baseline)
};

const char* to_string(TaskKind kind);
const char* to_string(RunMode mode);

struct Scenario {
    // program=local-data: run one of the tutorial's example programs as written
    // (example_programs.hpp) instead of tasks built from the fields below; only gil and seed
    // apply to it.
    std::string program;
    TaskKind kind = TaskKind::sleep;
    int count = 10;                // tasks, 1..1000
    double seconds = 1;            // sleep: how long; cpu: work sized to take this long on one core
    int latency_ms = 300;          // fetch: simulated server latency (serve.py's latency_ms)
    int kbps = 0;                  // fetch: simulated bandwidth cap, 0 = none
    double timeout_s = 10;         // fetch: give up after this long (native only; see fetch.hpp)
    RunMode mode = RunMode::threads;
    int workers = 5;               // pool and map: max_workers
    int increments = 100000;       // increment: how many times each task adds 1, 1..10,000,000
    bool lock = false;             // increment: hold a Lock around each read-add-write
    int limit = 0;                 // at most this many tasks at once (a BoundedSemaphore), 0 = no limit
    bool gil = false;              // Python mode: run under the GIL emulation (threadlab/gil.hpp)
    std::vector<std::string> urls; // fetch: explicit URLs (empty: the tutorial's 15 images)
    int seed = 0;                  // simulated threads: the scheduler's seed, to replay a run (0: a new one each run)
};

inline constexpr int kMaxTasks = 1000;
inline constexpr int kMaxWorkers = 1000;

using Fields = std::vector<std::pair<std::string, std::string>>;

// "kind=sleep&count=10&url=%2Fbytes%2F10" -> {{"kind","sleep"},{"count","10"},{"url","/bytes/10"}}.
// A leading '?' is ignored; '+' decodes to a space.
Fields parse_query(std::string_view query);
std::string encode_query(const Fields& fields);

// How the page shows itself (URL keys that are not the scenario's). The desktop app ignores them.
enum class CodeLanguage { both, cpp, python };
enum class ThemeChoice { dark, light, automatic }; // automatic: the reader's prefers-color-scheme
struct PageOptions {
    bool embed = false; // embed=1: the compact layout for an iframe in a tutorial
    // panels=timeline,console,code,results: which panels the embed shows, in that order
    std::vector<std::string> panels = {"timeline", "console", "code"};
    CodeLanguage lang = CodeLanguage::both; // lang=cpp|python|both: the code panel's columns
    ThemeChoice theme = ThemeChoice::dark;  // theme=dark|light|auto
};

// The URL keys that say how the page starts and shows itself, not what runs (the rest are the
// scenario's). The page reads this list from presets.json to tell "preset=NAME and nothing else"
// from a changed example before the parser has loaded.
// backend=sim|threads: simulated threads (playground-sim.js) or real ones; read by the page.
inline constexpr std::array<std::string_view, 8> kPageKeys = {"autorun", "run", "start", "embed",
                                                              "panels", "lang", "theme", "backend"};

struct ParsedScenario {
    std::optional<Scenario> scenario; // set when every field was valid
    std::string error;                // otherwise: what is wrong, e.g. "count must be 1..1000, got 0"
    bool autorun = false;             // autorun=1 (page URL) / --run (desktop)
    bool any_scenario_key = false;    // at least one scenario key was given
    PageOptions page;                 // embed, panels, lang
    bool any_page_key = false;        // at least one of those was given
};

// Applies `fields` on top of `base` (and the page's keys on top of `page`: a query that gives
// only theme= keeps the other page options). Unknown keys are errors (a typo should not be ignored).
ParsedScenario parse_scenario(const Fields& fields, const Scenario& base = {}, const PageOptions& page = {});
ParsedScenario parse_scenario_query(std::string_view query, const Scenario& base = {}, const PageOptions& page = {});

// The scenario as query fields (round-trips through parse_scenario).
Fields to_fields(const Scenario& scenario);

// The URLs a fetch scenario downloads, one per task (explicit URLs repeat to fill `count`).
std::vector<std::string> fetch_urls(const Scenario& scenario);

// The tutorial's 15 photo names (photo-1516117172878-fd2c41f4a759, ...).
const std::vector<std::string>& tutorial_image_names();

// The last path segment without extension or query: ".../photo-15.png?x=1" -> "photo-15".
std::string image_name_from_url(const std::string& url);

} // namespace playground
