// bench_threadlab: Threadlab against its C++ peers, on identical work, in one process run.
//
//   bench_threadlab [--quick] [--rounds N] [--only PREFIX] [--server URL]
//
// Prints one JSON line per group on stdout (see harness.hpp) and progress on stderr. bench/run.sh
// runs it together with the Python peers and turns everything into one table.
#include "workloads.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    bench::Config config;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        if (arg == "--quick") config.quick = true;
        else if (arg == "--rounds" && value) config.rounds = std::atoi(argv[++i]);
        else if (arg == "--only" && value) config.only = argv[++i];
        else if (arg == "--server" && value) config.server = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--quick] [--rounds N] [--only PREFIX] [--server URL]\n", argv[0]);
            return 2;
        }
    }
    if (config.rounds < 1) config.rounds = 1;
    bench::executor_workloads(config);
#ifndef __EMSCRIPTEN__
    bench::thread_workloads(config);
    bench::lock_workloads(config);
    bench::tutorial_workloads(config);
    bench::events_workloads(config);
    bench::handoff_workloads(config);
#endif
    return 0;
}
