// preset_catalog: writes presets.json (see preset_catalog.hpp) to the path given, or, with
// --listings, the code listing of every preset built from keys and of each extra query given,
// as DIR/<name>.cpp and DIR/<name>.py (for tests/check_listings.py).
// Run at build time; in the Emscripten build through node (NODERAWFS: real files).
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "code_listing.hpp"
#include "preset_catalog.hpp"
#include "presets.hpp"
#include "run_state.hpp"

namespace {

bool write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (out.flush()) return true;
    std::fprintf(stderr, "preset_catalog: cannot write %s\n", path.c_str());
    return false;
}

bool write_listing(const std::string& dir, const std::string& name, const playground::Scenario& scenario) {
    const playground::CodeListing code = playground::code_listing(scenario);
    return write(dir + "/" + name + ".cpp", code.cpp) && write(dir + "/" + name + ".py", code.python);
}

} // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::string(argv[1]) == "--listings") {
        const std::string dir = argv[2];
        for (const playground::Preset& preset : playground::presets())
            if (preset.scenario.program.empty() && !write_listing(dir, preset.slug, preset.scenario)) return 1;
        for (int i = 3; i < argc; ++i) { // "kind=sleep&mode=map" -> kind-sleep-mode-map
            const playground::ParsedScenario parsed = playground::parse_scenario_query(argv[i]);
            if (!parsed.scenario) {
                std::fprintf(stderr, "preset_catalog: %s\n", parsed.error.c_str());
                return 2;
            }
            std::string name = argv[i];
            for (char& c : name)
                if (c == '=' || c == '&') c = '-';
            if (!write_listing(dir, name, *parsed.scenario)) return 1;
        }
        return 0;
    }
    if (argc != 2) {
        std::fprintf(stderr, "usage: preset_catalog OUTPUT.json | preset_catalog --listings DIR [QUERY...]\n");
        return 2;
    }
    return write(argv[1], playground::json_text(playground::preset_catalog()) + "\n") ? 0 : 1;
}
