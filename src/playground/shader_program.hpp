// playground/shader_program.hpp - compile the GLSL in shaders/ for this platform's GL.
#pragma once

#include <string>

#include "gl.hpp"

namespace playground {

// Builds a program from two embedded shader files (names as in shaders/), putting the GLSL
// version line of this platform in front. Returns 0 and sets `error` on failure.
GLuint build_shader_program(const char* vertex_file, const char* fragment_file, std::string& error);

} // namespace playground
