// bench_handoff: handoff_bench.cpp's hand-off and sleepers alone, for WebAssembly, where each
// backend must be a program of its own (sim needs Asyncify over the whole module, os needs
// pthreads; natively bench_threadlab links both). Built twice by bench/wasm (THREADLAB_BACKEND
// os and sim); bench/run.sh runs the two under node in alternation and report.py puts them side by
// side. Prints harness.hpp's JSON lines, one variant each: threadlab_os or threadlab_sim.
//
//   node build/bench-wasm/bench_handoff.js [--quick] [--rounds N]
#include "handoff_bench.hpp"

#include <cstdlib>
#include <string>

#ifdef THREADLAB_SIM
namespace handoff = bench::handoff_sim;
static const char* const kVariant = "threadlab_sim";
#else
namespace handoff = bench::handoff_os;
static const char* const kVariant = "threadlab_os";
#endif

int main(int argc, char** argv) {
    bench::Config config;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") config.quick = true;
        else if (arg == "--rounds" && i + 1 < argc) config.rounds = std::max(1, std::atoi(argv[++i]));
    }
    const int trips = config.quick ? 200 : 20000;
    bench::run_group(config, "backend.ping_pong", 2.0 * trips, {{kVariant, [=] { return handoff::ping_pong(trips); }}});
    // 100, not bench_threadlab's 1000: on os each Thread beyond the pre-started Workers is a new
    // Worker made by node's main thread, tens of ms each (BENCHMARKS.md, 1000 threads).
    const int threads = config.quick ? 10 : 100;
    bench::run_group(config, "backend.sleepers_100", 1, {{kVariant, [=] { return handoff::sleepers(threads, 0.05); }}});
    return 0;
}
