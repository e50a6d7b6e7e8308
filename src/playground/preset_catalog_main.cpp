// preset_catalog: writes presets.json (see preset_catalog.hpp) to the path given.
// Run at build time; in the Emscripten build through node (NODERAWFS: real files).
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "preset_catalog.hpp"
#include "run_state.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: preset_catalog OUTPUT.json\n");
        return 2;
    }
    std::ofstream out(argv[1], std::ios::binary);
    out << playground::json_text(playground::preset_catalog()) << '\n';
    if (!out.flush()) {
        std::fprintf(stderr, "preset_catalog: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
