// The playground in the browser: GLFW on the page's canvas, WebGL2, Emscripten pthreads.
//
// The page's main thread only renders frames (emscripten_set_main_loop) and answers the page API
// (window.threadlab, web/threadlab.js), which calls the exported threadlab_* functions below
// between frames. It never blocks: runs happen on the runner thread, and new Web Workers for
// threads beyond the pre-started pool start whenever this thread returns to the event loop.
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/threading.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <string>

#include "app.hpp"
#include "draw_frame.hpp"

namespace {
GLFWwindow* window = nullptr;
playground::App* app = nullptr;
bool announced_ready = false;
std::string returned; // keeps the text a threadlab_* function returns alive until the next call
} // namespace

// [JS] Page-side hooks set by web/threadlab.js.
EM_JS(void, js_announce_ready, (), { if (Module.threadlabReady) Module.threadlabReady(); });
EM_JS(void, js_report_finished, (const char* json), {
    if (Module.threadlabRunFinished) Module.threadlabRunFinished(UTF8ToString(json));
});
EM_JS(int, js_window_width, (), { return window.innerWidth | 0; });
EM_JS(int, js_window_height, (), { return window.innerHeight | 0; });

extern "C" {
// Starts a run from a query ("kind=sleep&count=10"). Returns "" or why it did not start.
EMSCRIPTEN_KEEPALIVE const char* threadlab_run(const char* query) {
    returned = app->run_query(query);
    return returned.c_str();
}
// Puts a scenario into the panel without running it. Returns "" or what is invalid.
EMSCRIPTEN_KEEPALIVE const char* threadlab_load(const char* query) {
    bool autorun = false;
    returned = app->load_query(query, autorun);
    return returned.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* threadlab_state() {
    returned = app->state_json();
    return returned.c_str();
}
EMSCRIPTEN_KEEPALIVE void threadlab_cancel() { app->cancel(); }
EMSCRIPTEN_KEEPALIVE void threadlab_show_message(const char* message) { app->show_message(message); }
}

// While the program starts threads, each pthread_create waits for a turn of this thread (the
// browser's main thread creates Workers). Rendering a frame can take tens of ms (a software GL),
// so frames are spaced out meanwhile; the page still redraws at least this often:
constexpr double kStartingThreadsFrameMs = 500;

static void frame() {
    static double last_render = 0;
    // Serve threads waiting on this thread (pthread_create, ...) before and during the frame, not
    // only when it ends.
    emscripten_main_thread_process_queued_calls();
    const double now = emscripten_get_now();
    if (app->starting_threads() && now - last_render < kStartingThreadsFrameMs) return;
    last_render = now;
    const int width = js_window_width(), height = js_window_height();
    int current_w = 0, current_h = 0;
    glfwGetWindowSize(window, &current_w, &current_h);
    if (width > 0 && height > 0 && (width != current_w || height != current_h)) glfwSetWindowSize(window, width, height);

    playground::draw_frame(*app, window, emscripten_main_thread_process_queued_calls);

    if (auto report = app->take_finished_report()) js_report_finished(report->c_str());
    if (!announced_ready) {
        announced_ready = true;
        js_announce_ready();
    }
}

int main() {
    if (!glfwInit()) return 1;
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    window = glfwCreateWindow(js_window_width(), js_window_height(), "Threadlab playground", nullptr, nullptr);
    if (!window) return 1;
    glfwMakeContextCurrent(window);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr; // no imgui.ini in the browser's virtual file system
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 300 es");

    app = new playground::App(); // lives as long as the page
    app->init(/*echo_console_to_stdout=*/false);
    emscripten_set_main_loop(frame, 0, true); // never returns
    return 0;
}
