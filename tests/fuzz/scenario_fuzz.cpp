// Fuzzes the playground's one scenario parser (page URL query, window.threadlab.run, desktop
// flags) with a seeded generator: random bytes, malformed escapes, huge and odd numbers, unknown
// and repeated keys, and mutations of valid queries. Every input must give either a scenario
// whose fields are all in range, or a non-empty error - never both, never a crash (the asan
// stage runs this under AddressSanitizer + UBSan). Valid scenarios must round-trip.
//
//   scenario_fuzz [--inputs N] [--seed S]      (prints the seed; a failure names the input)
#include "scenario.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace playground;

namespace {
const std::vector<std::string> keys = {"preset", "embed", "panels", "lang", "theme", "start", "kind", "count", "seconds", "latency_ms", "kbps", "timeout_s",
                                       "increments", "lock", "limit", "mode", "workers", "url", "urls", "autorun", "", "Count", "k\xff"};
const std::vector<std::string> values = {
    "ten-threads", "download-15", "thousand-threads", "timeline,code", "light", "auto", "click", "python", "sleep", "fetch", "cpu", "increment", "race", "threads", "pool", "map", "sequential", "0", "1", "10", "1000", "1001",
    "-1", "2147483648", "-2147483649", "99999999999999999999", "1e999", "-1e999", "nan", "inf",
    "-inf", "0x10", "1.5", "1.", ".5", "1e-320", " 1", "1 ", "+1", "", "%", "%2", "%zz", "%00",
    "%2e%2e%2f", "/images/x.png", "http://127.0.0.1:1/x", "a=b", "&&&", "+", "\xc3\x28", "1,2"};

struct Failure {
    std::string input;
    std::string why;
};

std::string random_bytes(std::mt19937_64& rng, std::size_t max_len) {
    std::string s(rng() % (max_len + 1), '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 256);
    return s;
}

std::string random_query(std::mt19937_64& rng) {
    std::string q = rng() % 4 == 0 ? "?" : "";
    int pairs = static_cast<int>(rng() % 8);
    for (int i = 0; i < pairs; ++i) {
        if (i) q += rng() % 10 == 0 ? "&&" : "&";
        q += keys[rng() % keys.size()];
        if (rng() % 12) q += '=';
        q += rng() % 6 == 0 ? random_bytes(rng, 6) : values[rng() % values.size()];
    }
    return q;
}

// Returns why a parse result is wrong, or "" if it is acceptable.
std::string check(const ParsedScenario& parsed) {
    if (parsed.scenario.has_value() == !parsed.error.empty()) return "exactly one of scenario / error expected";
    if (!parsed.scenario) return {};
    const Scenario& s = *parsed.scenario;
    if (s.count < 1 || s.count > kMaxTasks) return "count out of range";
    if (s.workers < 1 || s.workers > kMaxWorkers) return "workers out of range";
    if (!std::isfinite(s.seconds) || s.seconds < 0) return "seconds not a finite non-negative number";
    if (s.latency_ms < 0 || s.kbps < 0) return "negative latency or kbps";
    if (!std::isfinite(s.timeout_s) || s.timeout_s < 0) return "timeout not finite";
    ParsedScenario again = parse_scenario(to_fields(s));
    if (!again.scenario) return "a valid scenario does not round-trip: " + again.error;
    if (to_fields(*again.scenario) != to_fields(s)) return "round-trip changed the scenario";
    return {};
}
} // namespace

int main(int argc, char** argv) {
    long inputs = 200000;
    unsigned long long seed = std::random_device{}();
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        if (arg == "--inputs") inputs = std::atol(argv[i + 1]);
        else if (arg == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    }
    std::printf("scenario_fuzz: %ld inputs, seed %llu (replay: --seed %llu)\n", inputs, seed, seed);
    std::mt19937_64 rng(seed);
    long valid = 0, rejected = 0;
    for (long n = 0; n < inputs; ++n) {
        std::string input = n % 5 == 0 ? random_bytes(rng, 64) : random_query(rng);
        ParsedScenario parsed = parse_scenario_query(input);
        std::string why = check(parsed);
        if (!why.empty()) {
            std::printf("FAILED on input #%ld: \"", n);
            for (unsigned char c : input) std::printf(c >= 32 && c < 127 ? "%c" : "\\x%02x", c);
            std::printf("\": %s\n", why.c_str());
            return 1;
        }
        (parsed.scenario ? valid : rejected)++;
    }
    std::printf("scenario_fuzz: %ld inputs, %ld valid scenarios, %ld rejected with a message, no failure\n",
                inputs, valid, rejected);
    return 0;
}
