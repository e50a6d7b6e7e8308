#include "example_programs.hpp"

namespace playground {

const std::vector<ExampleProgram>& example_programs() {
    // Keep in step with the list in CMakeLists.txt (the embedded files) and
    // example_programs_run.cpp.
    static const std::vector<ExampleProgram> list = {
        {"current-thread", "current_thread"},
        {"local-data", "local_data"},
        {"producer-consumer", "producer_consumer"},
        {"deadlock", "deadlock"},
        {"pool-deadlock", "pool_deadlock"},
    };
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
        out += (out.empty() ? "" : ", ") + std::string(program.slug);
    return out;
}

}  // namespace playground
