// The desktop playground: GLFW + OpenGL 3.3 core.
//
//   threadlab-playground [--preset NAME] [--kind sleep|fetch|cpu|increment] [--count N]
//                        [--seconds S] [--latency-ms MS] [--kbps K] [--increments N] [--lock]
//                        [--limit N] [--gil] [--mode threads|pool|map|sequential] [--workers N]
//                        [--url URL]... [--server URL] [--run] [--exit-when-done]
//                        [--screenshot FILE.png] [--report FILE.json] [--trace FILE.json] [--size WxH]
//                        [--scale S]
//
// Scenario flags are the page's query keys (latency-ms = latency_ms) and go through the same
// parser. --run starts the scenario at once; --exit-when-done quits when it ends (after writing
// --screenshot and --report), for smoke tests and debugging. --trace writes each finished run as a
// Chrome trace (open it in https://ui.perfetto.dev or chrome://tracing). The UI is drawn at the
// monitor's content scale (2 on a high-DPI screen, from the desktop's DPI setting); --scale sets it.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "app.hpp"
#include "draw_frame.hpp"
#include "keyboard.hpp"
#include "screenshot.hpp"
#include "tasks/fetch.hpp"

namespace {

struct Options {
    playground::Fields scenario_fields;
    bool exit_when_done = false;
    std::string screenshot;
    std::string report;
    std::string trace;
    int width = 1280, height = 800;
    bool size_given = false; // --size: exactly that; else the default, shrunk to fit the screen
    float scale = 0;         // --scale: pixels per point; 0: the monitor's content scale
};

void usage() {
    std::puts("usage: threadlab-playground [--preset NAME] [--kind sleep|fetch|cpu|increment] [--count N]\n"
              "         [--seconds S] [--latency-ms MS] [--kbps K] [--timeout-s S] [--increments N] [--lock]\n"
              "         [--limit N] [--gil] [--mode threads|pool|map|sequential]\n"
              "         [--workers N] [--url URL]... [--server URL] [--run] [--exit-when-done]\n"
              "         [--screenshot FILE.png] [--report FILE.json] [--trace FILE.json] [--size WxH]\n"
              "         [--scale S]");
}

// Returns false (after printing why) on a bad command line.
bool parse_flags(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "threadlab-playground: %s needs a value\n", flag.c_str());
                return false;
            }
            out = argv[++i];
            return true;
        };
        std::string text;
        if (flag == "--help" || flag == "-h") {
            usage();
            std::exit(0);
        } else if (flag == "--run") {
            options.scenario_fields.emplace_back("autorun", "1");
        } else if (flag == "--exit-when-done") {
            options.exit_when_done = true;
        } else if (flag == "--screenshot") {
            if (!value(options.screenshot)) return false;
        } else if (flag == "--report") {
            if (!value(options.report)) return false;
        } else if (flag == "--trace") {
            if (!value(options.trace)) return false;
        } else if (flag == "--server") {
            if (!value(text)) return false;
            threadlab::tasks::set_base_url(text);
        } else if (flag == "--size") {
            options.size_given = true;
            if (!value(text) || std::sscanf(text.c_str(), "%dx%d", &options.width, &options.height) != 2) {
                std::fprintf(stderr, "threadlab-playground: --size wants WIDTHxHEIGHT\n");
                return false;
            }
        } else if (flag == "--scale") {
            if (!value(text) || std::sscanf(text.c_str(), "%f", &options.scale) != 1 || !(options.scale >= 0.5f && options.scale <= 4)) {
                std::fprintf(stderr, "threadlab-playground: --scale wants a number from 0.5 to 4 (pixels per point)\n");
                return false;
            }
        } else if (flag.rfind("--", 0) == 0) {
            std::string key = flag.substr(2);
            for (char& c : key) if (c == '-') c = '_';
            // A flag followed by another flag (or by nothing) is bare: --gil is gil= (true), as
            // a bare key in the page's URL.
            const bool bare = i + 1 >= argc || std::string_view(argv[i + 1]).rfind("--", 0) == 0;
            if (!bare) text = argv[++i];
            options.scenario_fields.emplace_back(key, text); // validated by parse_scenario
        } else {
            std::fprintf(stderr, "threadlab-playground: unexpected argument '%s'\n", flag.c_str());
            usage();
            return false;
        }
    }
    return true;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) std::fprintf(stderr, "threadlab-playground: could not write %s: %s\n", path.c_str(), std::strerror(errno));
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse_flags(argc, argv, options)) return 2;
    const std::string query = playground::encode_query(options.scenario_fields);
    playground::ParsedScenario parsed = playground::parse_scenario_query(query);
    if (!parsed.scenario) {
        std::fprintf(stderr, "threadlab-playground: %s\n", parsed.error.c_str());
        return 2;
    }

    glfwSetErrorCallback([](int code, const char* text) { std::fprintf(stderr, "GLFW error %d: %s\n", code, text); });
    if (!glfwInit()) return 1;
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
    // A window that fits the screen: the default size (in points: larger on a high-DPI screen),
    // or the monitor's work area (less the taskbar) where that is smaller.
    if (GLFWmonitor* monitor = glfwGetPrimaryMonitor(); monitor && !options.size_given) {
        float scale = options.scale, unused = 0;
        if (scale == 0) glfwGetMonitorContentScale(monitor, &scale, &unused);
        options.width = static_cast<int>(options.width * std::max(scale, 1.0f));
        options.height = static_cast<int>(options.height * std::max(scale, 1.0f));
        int x = 0, y = 0, w = 0, h = 0;
        glfwGetMonitorWorkarea(monitor, &x, &y, &w, &h);
        if (w > 0 && h > 0) {
            options.width = std::min(options.width, w);
            options.height = std::min(options.height, h);
        }
    }
    GLFWwindow* window = glfwCreateWindow(options.width, options.height, "Threadlab playground", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "threadlab-playground: cannot open an OpenGL 3.3 window (is a display available?)\n");
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    // Installed before ImGui's GLFW backend, which chains to it.
    glfwSetKeyCallback(window, [](GLFWwindow*, int key, int, int action, int mods) {
        playground::keyboard_on_key(key, action, mods);
    });

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    playground::App app;
    app.init(/*echo_console_to_stdout=*/true);
    bool autorun = false;
    app.load_query(query, autorun);
    if (autorun) {
        std::string error = app.run_query(query);
        if (!error.empty()) std::fprintf(stderr, "threadlab-playground: %s\n", error.c_str());
    }

    // Xvfb (and some drivers) ignore vsync: cap the frame rate ourselves.
    using clock = std::chrono::steady_clock;
    constexpr auto kFrame = std::chrono::microseconds(1'000'000 / 60);
    auto next_frame = clock::now();
    int frames = 0, frames_since_done = -1;
    while (!glfwWindowShouldClose(window)) {
        glfwPollEvents();
        float scale = options.scale, unused = 0;
        if (scale == 0) glfwGetWindowContentScale(window, &scale, &unused); // follows the window across monitors
        const playground::FramebufferSize fb = playground::draw_frame(app, window, scale);

        if (auto report = app.take_finished_report()) {
            if (!options.report.empty()) write_file(options.report, *report);
            if (!options.trace.empty()) write_file(options.trace, app.trace_json());
            frames_since_done = 0;
        }
        // A few frames after the end, so the final state (thumbnails, summary) is on screen.
        const bool settled = autorun ? frames_since_done >= 3 && !app.decoding_thumbnails() : frames >= 30;
        if (settled && !options.screenshot.empty()) {
            std::string error;
            if (playground::save_framebuffer_png(options.screenshot, fb.width, fb.height, error))
                std::fprintf(stderr, "threadlab-playground: screenshot written to %s\n", options.screenshot.c_str());
            else
                std::fprintf(stderr, "threadlab-playground: screenshot failed: %s\n", error.c_str());
            options.screenshot.clear();
        }
        glfwSwapBuffers(window);
        ++frames;
        if (frames_since_done >= 0) ++frames_since_done;
        if (options.exit_when_done && settled && options.screenshot.empty()) break;

        next_frame += kFrame;
        const auto now = clock::now();
        if (next_frame > now) std::this_thread::sleep_for(next_frame - now);
        else next_frame = now;
    }

    app.shutdown();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return 0;
}
