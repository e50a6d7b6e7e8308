#include "shader_program.hpp"

#include "embedded_shaders.hpp"

namespace playground {
namespace {

#ifdef __EMSCRIPTEN__
constexpr const char* kPrologue = "#version 300 es\nprecision highp float;\nprecision highp int;\n";
#else
constexpr const char* kPrologue = "#version 330 core\n";
#endif

GLuint compile(GLenum type, const char* file, std::string& error) {
    const char* body = shaders::embedded_file(file);
    if (!body) {
        error = std::string("shader not embedded: ") + file;
        return 0;
    }
    const char* sources[] = {kPrologue, "#line 1\n", body};
    GLuint shader = glCreateShader(type);
    glShaderSource(shader, 3, sources, nullptr);
    glCompileShader(shader);
    GLint ok = 0;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[2048] = {};
        glGetShaderInfoLog(shader, sizeof log, nullptr, log);
        error = std::string(file) + ": " + log;
        glDeleteShader(shader);
        return 0;
    }
    return shader;
}

} // namespace

GLuint build_shader_program(const char* vertex_file, const char* fragment_file, std::string& error) {
    GLuint vertex = compile(GL_VERTEX_SHADER, vertex_file, error);
    if (!vertex) return 0;
    GLuint fragment = compile(GL_FRAGMENT_SHADER, fragment_file, error);
    if (!fragment) {
        glDeleteShader(vertex);
        return 0;
    }
    GLuint program = glCreateProgram();
    glAttachShader(program, vertex);
    glAttachShader(program, fragment);
    glLinkProgram(program);
    glDeleteShader(vertex);
    glDeleteShader(fragment);
    GLint ok = 0;
    glGetProgramiv(program, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[2048] = {};
        glGetProgramInfoLog(program, sizeof log, nullptr, log);
        error = std::string("linking ") + vertex_file + " + " + fragment_file + ": " + log;
        glDeleteProgram(program);
        return 0;
    }
    return program;
}

} // namespace playground
