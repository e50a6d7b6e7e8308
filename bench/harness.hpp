// bench/harness.hpp - interleaved repetitions, medians, and one JSON line per measured group.
//
// A group is one metric measured for Threadlab and its peers on identical work. Every round runs
// each variant once, starting from a different variant each round (so no one always goes first
// while caches, the allocator or the scheduler warm up); the result of a variant is the median of
// its rounds. Lines look like:
//   {"group":"executor.submit","unit":"s","per":100000,"variants":{"threadlab":{"median":..,"samples":[..]},..}}
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct Config {
    bool quick = false; // tiny sizes, one round: proves the programs build and start
    int rounds = 7;     // interleaved repetitions per group
    std::string only;   // run only groups whose name starts with this
    std::string server; // serve.py's URL, for the download workloads ("" skips them)
};

inline double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Time one call of fn, in seconds.
template <class F> double time_s(F&& fn) {
    double t0 = now_s();
    fn();
    return now_s() - t0;
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The q-quantile (0..1) by nearest rank.
inline double quantile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

// One implementation of a group's work. run() does the whole batch and returns the value
// measured (seconds, unless the group says otherwise).
struct Variant {
    std::string name;
    std::function<double()> run;
};

inline void print_samples(const std::vector<double>& samples) {
    std::printf("[");
    for (std::size_t i = 0; i < samples.size(); ++i) std::printf("%s%.9g", i ? "," : "", samples[i]);
    std::printf("]");
}

// Runs the variants in interleaved rounds and prints the group's JSON line. `per` is the number
// of operations in one run (per-operation value = median / per). `warmup` runs each variant once
// untimed first.
// Whether --only lets `group` run.
inline bool selected(const Config& config, const std::string& group) {
    return config.only.empty() || group.rfind(config.only, 0) == 0;
}

inline void run_group(const Config& config, const std::string& group, double per, std::vector<Variant> variants,
                      bool warmup = true, int rounds = 0, const std::string& unit = "s") {
    if (!selected(config, group)) return;
    if (rounds <= 0) rounds = config.quick ? 1 : config.rounds;
    std::fprintf(stderr, "  %-34s", group.c_str());
    std::fflush(stderr);
    if (warmup && !config.quick)
        for (auto& v : variants) v.run();
    std::vector<std::vector<double>> samples(variants.size());
    for (int r = 0; r < rounds; ++r)
        for (std::size_t k = 0; k < variants.size(); ++k) {
            std::size_t i = (k + static_cast<std::size_t>(r)) % variants.size();
            samples[i].push_back(variants[i].run());
        }
    std::printf("{\"group\":\"%s\",\"unit\":\"%s\",\"per\":%.0f,\"variants\":{", group.c_str(), unit.c_str(), per);
    for (std::size_t i = 0; i < variants.size(); ++i) {
        std::printf("%s\"%s\":{\"median\":%.9g,\"samples\":", i ? "," : "", variants[i].name.c_str(), median(samples[i]));
        print_samples(samples[i]);
        std::printf("}");
        std::fprintf(stderr, " %s=%.4g", variants[i].name.c_str(), median(samples[i]) / per);
    }
    std::printf("}}\n");
    std::fflush(stdout);
    std::fprintf(stderr, " (%s per op)\n", unit.c_str());
}

// A group whose values are single samples (latencies): prints p50 and p99 per variant.
inline void print_distribution(const std::string& group, const std::vector<std::pair<std::string, std::vector<double>>>& variants) {
    std::printf("{\"group\":\"%s\",\"unit\":\"s\",\"per\":1,\"variants\":{", group.c_str());
    std::fprintf(stderr, "  %-34s", group.c_str());
    for (std::size_t i = 0; i < variants.size(); ++i) {
        const auto& [name, v] = variants[i];
        std::printf("%s\"%s\":{\"p50\":%.9g,\"p90\":%.9g,\"p99\":%.9g,\"n\":%zu}", i ? "," : "", name.c_str(),
                    quantile(v, 0.5), quantile(v, 0.9), quantile(v, 0.99), v.size());
        std::fprintf(stderr, " %s p50=%.3gus p99=%.3gus", name.c_str(), quantile(v, 0.5) * 1e6, quantile(v, 0.99) * 1e6);
    }
    std::printf("}}\n");
    std::fflush(stdout);
    std::fprintf(stderr, "\n");
}

} // namespace bench
