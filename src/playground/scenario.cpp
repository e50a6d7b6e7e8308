#include "scenario.hpp"

#include "example_programs.hpp"
#include "presets.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <cstdlib>

namespace playground {

const char* to_string(TaskKind kind) {
    switch (kind) {
    case TaskKind::sleep: return "sleep";
    case TaskKind::fetch: return "fetch";
    case TaskKind::cpu: return "cpu";
    case TaskKind::increment: return "increment";
    }
    return "?";
}

const char* to_string(RunMode mode) {
    switch (mode) {
    case RunMode::threads: return "threads";
    case RunMode::pool: return "pool";
    case RunMode::map: return "map";
    case RunMode::sequential: return "sequential";
    }
    return "?";
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == ':') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::optional<long long> parse_integer(const std::string& text) {
    long long value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
    return value;
}

// Decimal only, as a person writes it in a URL: "1", "0.5", "-2", "1e3". Not hex ("0x10" would
// be 16 to strtod), not "inf" or "nan", no spaces.
bool is_decimal(const std::string& text) {
    size_t i = text[0] == '-' ? 1 : 0, digits = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) ++digits;
    if (i < text.size() && text[i] == '.')
        for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) ++digits;
    if (digits == 0) return false;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        if (++i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        if (i == text.size()) return false;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    }
    return i == text.size();
}

std::optional<double> parse_number(const std::string& text) {
    if (text.empty() || !is_decimal(text)) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

// A value as an error message shows it: at most 40 characters, control characters escaped, so a
// hostile or pasted URL cannot flood or break the message.
std::string quoted(const std::string& text) {
    constexpr size_t kShown = 40;
    std::string out = "'";
    for (size_t i = 0; i < text.size() && i < kShown; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > kShown) out += "...' (" + std::to_string(text.size()) + " characters)";
    else out += "'";
    return out;
}

// Longest value accepted: a URL of the simulated internet is far shorter.
constexpr size_t kMaxValueLength = 2048;

// Each setter returns an error message, or "" when the value was applied.
std::string set_int(const std::string& key, const std::string& text, long long min, long long max,
                    int& out) {
    auto value = parse_integer(text);
    if (!value)
        return key + " must be a whole number, got " + quoted(text);
    if (*value < min || *value > max)
        return key + " must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " + quoted(text);
    out = static_cast<int>(*value);
    return {};
}

std::string set_seconds(const std::string& key, const std::string& text, double min, double max,
                        double& out) {
    auto value = parse_number(text);
    if (!value) return key + " must be a number of seconds, got " + quoted(text);
    if (*value < min || *value > max) {
        char range[64];
        std::snprintf(range, sizeof range, "%g..%g", min, max);
        return key + " must be " + range + ", got " + quoted(text);
    }
    out = *value;
    return {};
}

constexpr const char* kKnownKeys =
    "preset, program, kind, count, seconds, increments, lock, limit, gil, latency_ms, kbps, timeout_s, mode, workers, url, seed, autorun, embed, panels, lang, theme, start, backend";

// "1", "true" and "" (a bare key) are true; "0" and "false" false; else an error.
std::string set_flag(const std::string& key, const std::string& value, bool& out) {
    if (value == "1" || value == "true" || value.empty()) out = true;
    else if (value == "0" || value == "false") out = false;
    else return key + " must be 1 or 0, got " + quoted(value);
    return {};
}

// panels=timeline,console: each of the four at most once, at least one.
std::string set_panels(const std::string& value, std::vector<std::string>& out) {
    static const std::vector<std::string> known = {"timeline", "console", "code", "results"};
    std::vector<std::string> panels;
    size_t start = 0;
    while (start <= value.size()) {
        const size_t comma = std::min(value.find(',', start), value.size());
        std::string name = value.substr(start, comma - start);
        if (std::find(known.begin(), known.end(), name) == known.end())
            return "panels takes timeline, console, code and results, got " + quoted(name);
        if (std::find(panels.begin(), panels.end(), name) != panels.end())
            return "panels names " + quoted(name) + " twice";
        panels.push_back(std::move(name));
        start = comma + 1;
    }
    out = std::move(panels);
    return {};
}

std::string preset_slugs() {
    std::string out;
    for (const auto& preset : presets()) out += (out.empty() ? "" : ", ") + std::string(preset.slug);
    return out;
}

} // namespace

Fields parse_query(std::string_view query) {
    Fields fields;
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    while (!query.empty()) {
        const size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos)
            fields.emplace_back(percent_decode(pair), "");
        else
            fields.emplace_back(percent_decode(pair.substr(0, eq)), percent_decode(pair.substr(eq + 1)));
    }
    return fields;
}

std::string encode_query(const Fields& fields) {
    std::string out;
    for (const auto& [key, value] : fields) {
        if (!out.empty()) out += '&';
        out += percent_encode(key) + "=" + percent_encode(value);
    }
    return out;
}

ParsedScenario parse_scenario(const Fields& fields, const Scenario& base, const PageOptions& page) {
    ParsedScenario parsed;
    parsed.page = page;
    Scenario scenario = base;
    // preset=NAME starts from that example wherever it stands; the other keys change it.
    bool program_named = false; // program= or a program's preset: a whole program, not tasks
    for (const auto& [key, value] : fields) {
        if (key != "preset") continue;
        if (const Preset* preset = find_preset(value)) {
            scenario = preset->scenario;
            parsed.any_scenario_key = true;
            program_named = !scenario.program.empty() && !preset->tasks_form;
        }
        break;
    }
    std::string task_key; // the first key that sizes tasks, which a whole program has none of
    bool urls_given = false;
    bool count_given = false;
    std::vector<std::string> seen; // keys given so far: each at most once (url may repeat)
    std::string error;
    for (const auto& [key, value] : fields) {
        const bool repeatable = key == "url" || key == "urls";
        if (value.size() > kMaxValueLength) {
            error = quoted(key) + " is longer than " + std::to_string(kMaxValueLength) + " characters (" +
                    std::to_string(value.size()) + ")";
        } else if (!repeatable && std::find(seen.begin(), seen.end(), key) != seen.end()) {
            error = quoted(key) + " is given twice: give each key once";
        }
        if (!error.empty()) break;
        seen.push_back(key);
        const bool sizes_tasks = key != "preset" && key != "program" && key != "gil" && key != "seed" &&
                                 std::find(kPageKeys.begin(), kPageKeys.end(), key) == kPageKeys.end();
        if (sizes_tasks && task_key.empty()) task_key = key;
        if (key == "preset") {
            if (!find_preset(value)) error = "preset must be one of " + preset_slugs() + ", got " + quoted(value);
        } else if (key == "program") {
            if (find_example_program(value)) scenario.program = value;
            else error = "program must be one of " + example_program_slugs() + ", got " + quoted(value);
            program_named = true;
        } else if (key == "kind") {
            if (value == "sleep") scenario.kind = TaskKind::sleep;
            else if (value == "fetch") scenario.kind = TaskKind::fetch;
            else if (value == "cpu") scenario.kind = TaskKind::cpu;
            else if (value == "increment") scenario.kind = TaskKind::increment;
            else error = "kind must be sleep, fetch, cpu or increment, got " + quoted(value);
        } else if (key == "mode") {
            if (value == "threads") scenario.mode = RunMode::threads;
            else if (value == "pool") scenario.mode = RunMode::pool;
            else if (value == "map") scenario.mode = RunMode::map;
            else if (value == "sequential") scenario.mode = RunMode::sequential;
            else error = "mode must be threads, pool, map or sequential, got " + quoted(value);
        } else if (key == "count") {
            error = set_int(key, value, 1, kMaxTasks, scenario.count);
            count_given = true;
        } else if (key == "workers") {
            error = set_int(key, value, 1, kMaxWorkers, scenario.workers);
        } else if (key == "increments") {
            error = set_int(key, value, 1, 10'000'000, scenario.increments);
        } else if (key == "lock") {
            error = set_flag(key, value, scenario.lock);
        } else if (key == "gil") {
            error = set_flag(key, value, scenario.gil);
        } else if (key == "limit") {
            error = set_int(key, value, 0, kMaxTasks, scenario.limit);
        } else if (key == "latency_ms") {
            error = set_int(key, value, 0, 60000, scenario.latency_ms);
        } else if (key == "kbps") {
            error = set_int(key, value, 0, 10'000'000, scenario.kbps);
        } else if (key == "seconds") {
            error = set_seconds(key, value, 0, 60, scenario.seconds);
        } else if (key == "timeout_s") {
            error = set_seconds(key, value, 0.1, 600, scenario.timeout_s);
        } else if (key == "url" || key == "urls") {
            if (!urls_given) scenario.urls.clear();
            urls_given = true;
            if (value.empty()) error = "url must not be empty";
            else scenario.urls.push_back(value);
        } else if (key == "autorun" || key == "run") {
            error = set_flag(key, value, parsed.autorun);
            if (!error.empty()) break;
            continue;
        } else if (key == "seed") {
            error = set_int(key, value, 1, 2'147'483'647, scenario.seed);
        } else if (key == "start") { // read by the page before the app loads (web/threadlab.js)
            if (value != "click" && value != "visible" && value != "load")
                error = "start must be click, visible or load, got " + quoted(value);
            if (!error.empty()) break;
            continue;
        } else if (key == "backend") { // read by the page before the app loads (web/threadlab.js)
            if (value != "sim" && value != "threads") error = "backend must be sim or threads, got " + quoted(value);
            if (!error.empty()) break;
            continue;
        } else if (key == "embed" || key == "panels" || key == "lang" || key == "theme") {
            if (key == "embed") error = set_flag(key, value, parsed.page.embed);
            else if (key == "panels") error = set_panels(value, parsed.page.panels);
            else if (key == "theme") {
                if (value == "dark") parsed.page.theme = ThemeChoice::dark;
                else if (value == "light") parsed.page.theme = ThemeChoice::light;
                else if (value == "auto") parsed.page.theme = ThemeChoice::automatic;
                else error = "theme must be dark, light or auto, got " + quoted(value);
            }
            else if (value == "cpp") parsed.page.lang = CodeLanguage::cpp;
            else if (value == "python") parsed.page.lang = CodeLanguage::python;
            else if (value == "both") parsed.page.lang = CodeLanguage::both;
            else error = "lang must be cpp, python or both, got " + quoted(value);
            if (!error.empty()) break;
            parsed.any_page_key = true;
            continue;
        } else {
            error = "unknown key " + quoted(key) + " (known keys: " + kKnownKeys + ")";
        }
        parsed.any_scenario_key = true;
        if (!error.empty()) break;
    }
    // A program runs as written; tasks given with it would be silently ignored, so they are an
    // error. Tasks given alone switch a scenario that was a program (the page's current one) back.
    if (error.empty() && !task_key.empty()) {
        if (program_named)
            error = quoted(task_key) + " does not apply to program=" + scenario.program +
                    ", which runs the example as written (only gil changes it)";
        else
            scenario.program.clear();
    }
    if (error.empty() && urls_given) {
        if (static_cast<int>(scenario.urls.size()) > kMaxTasks)
            error = "at most " + std::to_string(kMaxTasks) + " urls, got " +
                    std::to_string(scenario.urls.size());
        else if (!count_given)
            scenario.count = static_cast<int>(scenario.urls.size());
    }
    if (!error.empty()) {
        parsed.error = "Invalid scenario: " + error;
        return parsed;
    }
    parsed.scenario = scenario;
    return parsed;
}

ParsedScenario parse_scenario_query(std::string_view query, const Scenario& base, const PageOptions& page) {
    return parse_scenario(parse_query(query), base, page);
}

Fields to_fields(const Scenario& s) {
    auto number = [](double v) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", v);
        return std::string(text);
    };
    if (!s.program.empty()) {
        Fields fields{{"program", s.program}};
        if (s.gil) fields.emplace_back("gil", "1");
        if (s.seed) fields.emplace_back("seed", std::to_string(s.seed));
        return fields;
    }
    Fields fields{{"kind", to_string(s.kind)}, {"count", std::to_string(s.count)},
                  {"mode", to_string(s.mode)}};
    if (s.kind == TaskKind::sleep || s.kind == TaskKind::cpu) fields.emplace_back("seconds", number(s.seconds));
    if (s.kind == TaskKind::increment) {
        fields.emplace_back("increments", std::to_string(s.increments));
        fields.emplace_back("lock", s.lock ? "1" : "0");
    }
    if (s.kind == TaskKind::fetch) {
        fields.emplace_back("latency_ms", std::to_string(s.latency_ms));
        if (s.kbps) fields.emplace_back("kbps", std::to_string(s.kbps));
        if (s.timeout_s != Scenario{}.timeout_s) fields.emplace_back("timeout_s", number(s.timeout_s));
        for (const auto& url : s.urls) fields.emplace_back("url", url);
    }
    if (s.mode == RunMode::pool || s.mode == RunMode::map)
        fields.emplace_back("workers", std::to_string(s.workers));
    if (s.limit) fields.emplace_back("limit", std::to_string(s.limit));
    if (s.gil) fields.emplace_back("gil", "1");
    if (s.seed) fields.emplace_back("seed", std::to_string(s.seed));
    return fields;
}

const std::vector<std::string>& tutorial_image_names() {
    static const std::vector<std::string> names = {
        "photo-1516117172878-fd2c41f4a759", "photo-1532009324734-20a7a5813719",
        "photo-1524429656589-6633a470097c", "photo-1530224264768-7ff8c1789d79",
        "photo-1564135624576-c5c88640f235", "photo-1541698444083-023c97d3f4b6",
        "photo-1522364723953-452d3431c267", "photo-1513938709626-033611b8cc03",
        "photo-1507143550189-fed454f93097", "photo-1493976040374-85c8e12f0c0e",
        "photo-1504198453319-5ce911bafcde", "photo-1530122037265-a5f1f91d3b99",
        "photo-1516972810927-80185027ca84", "photo-1550439062-609e1531270e",
        "photo-1549692520-acc6669e2f0c",
    };
    return names;
}

std::vector<std::string> fetch_urls(const Scenario& s) {
    std::vector<std::string> urls;
    urls.reserve(s.count);
    std::string query = "?latency_ms=" + std::to_string(s.latency_ms);
    if (s.kbps > 0) query += "&kbps=" + std::to_string(s.kbps);
    const auto& names = tutorial_image_names();
    for (int i = 0; i < s.count; ++i) {
        if (!s.urls.empty())
            urls.push_back(s.urls[i % s.urls.size()]);
        else
            urls.push_back("images/" + names[i % names.size()] + ".png" + query); // relative: works under any path
    }
    return urls;
}

std::string image_name_from_url(const std::string& url) {
    std::string path = url.substr(0, url.find_first_of("?#"));
    const size_t slash = path.find_last_of('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const size_t dot = name.find_last_of('.');
    if (dot != std::string::npos && dot > 0) name.erase(dot);
    return name.empty() ? url : name;
}

} // namespace playground
