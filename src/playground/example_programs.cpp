#include "example_programs.hpp"

#include "embedded_programs.hpp"

#include <algorithm>

namespace playground {

const std::vector<ExampleProgram>& example_programs() {
    // The embedded C++ files, in the order CMakeLists.txt lists them.
    static const std::vector<ExampleProgram> list = [] {
        std::vector<ExampleProgram> programs;
        for (const auto& embedded : program_files::kEmbeddedFiles) {
            std::string file = embedded.name;
            if (!file.ends_with(".cpp")) continue;
            file.resize(file.size() - 4);
            std::string slug = file;
            std::replace(slug.begin(), slug.end(), '_', '-');
            programs.push_back({std::move(slug), std::move(file)});
        }
        return programs;
    }();
    return list;
}

const ExampleProgram* find_example_program(std::string_view slug) {
    for (const auto& program : example_programs())
        if (program.slug == slug)
            return &program;
    return nullptr;
}

std::string example_program_slugs() {
    std::string out;
    for (const auto& program : example_programs())
        out += (out.empty() ? "" : ", ") + program.slug;
    return out;
}

}  // namespace playground
