// playground/example_programs.hpp - the tutorial's programs the playground runs as written.
//
// Each is one file per language: examples/<file>.cpp (compiled into the playground, see
// example_programs_run.cpp, and shown in the code panel) and examples/python/<file>.py (shown
// beside it, and run by ctest with python3 against the same expected output). A scenario with
// program=<slug> runs one of them instead of a program built from kind, count and mode. The list
// is THREADLAB_PLAYGROUND_PROGRAMS in the top-level CMakeLists.txt, and nowhere else.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace playground {

struct ExampleProgram {
    std::string slug; // program=current-thread: the file's name with '-' for '_'
    std::string file; // current_thread: examples/current_thread.cpp, examples/python/current_thread.py
};

const std::vector<ExampleProgram>& example_programs();
// The program of that slug, or nullptr.
const ExampleProgram* find_example_program(std::string_view slug);
// "current-thread, local-data, ..." for error messages.
std::string example_program_slugs();

}  // namespace playground
