// The playground in the browser: GLFW on the page's canvas, WebGL2, Emscripten pthreads (or, built
// on the sim backend, simulated threads: playground-sim.js).
//
// The page's main thread only renders frames (emscripten_set_main_loop) and answers the page API
// (window.threadlab, web/threadlab.js), which calls the exported threadlab_* functions below
// between frames. It never blocks: runs happen on the runner thread, and new Web Workers for
// threads beyond the pre-started pool start whenever this thread returns to the event loop.
// On sim every thread is a fiber of this thread: it is their host, and they run at the start of
// each frame, for at most kSimSliceMs or until they all wait (threadlab::sim::run_for).
// An idle page draws nothing (see wants_frame): several embeds on one tutorial page cost nothing
// while the reader reads.
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/threading.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <utility>

#include <threadlab/sim.hpp>

#include "app.hpp"
#include "draw_frame.hpp"
#include "keyboard.hpp"

namespace {
GLFWwindow* window = nullptr;
playground::App* app = nullptr;
bool announced_ready = false;
std::string returned; // keeps the text a threadlab_* function returns alive until the next call

// Frames are drawn until this time (emscripten_get_now() ms): input, a resize, a page API call
// or the end of a run push it on by kSettleMs, long enough for ImGui to settle hover states,
// clicks and a report.
constexpr double kSettleMs = 500;
// And at least kSettleFrames frames, however long they take (a loaded machine): a tab bar, for
// one, lays its tabs out on its second frame.
constexpr int kSettleFrames = 3;
double draw_until = 0;
int frames_owed = 0;
void wake() {
    draw_until = emscripten_get_now() + kSettleMs;
    frames_owed = kSettleFrames;
}

// Input wakes the page. Installed before ImGui's GLFW backend, which chains to them.
void on_cursor(GLFWwindow*, double, double) { wake(); }
void on_button(GLFWwindow*, int, int, int) { wake(); }
void on_key(GLFWwindow*, int key, int, int action, int mods) {
    playground::keyboard_on_key(key, action, mods);
    wake();
}
void on_char(GLFWwindow*, unsigned) { wake(); }

// Emscripten 3.1.6's GLFW passes the scroll callback the browser's raw wheel delta: down positive,
// in pixels (Chromium: 100 a notch), lines (Firefox: 3) or pages. ImGui wants notches, up
// positive, so this callback replaces the one ImGui's backend installs and converts first.
EM_JS(void, js_track_wheel_mode, (), {
    // Capture phase: seen before GLFW's listener on the canvas calls on_scroll for the same event.
    window.addEventListener('wheel', (e) => { Module.threadlabWheelMode = e.deltaMode; }, { capture: true, passive: true });
});
EM_JS(int, js_wheel_mode, (), { return Module.threadlabWheelMode | 0; });
void on_scroll(GLFWwindow* w, double dx, double dy) {
    const int mode = js_wheel_mode();
    const double per_notch = mode == 0 ? 100 : mode == 1 ? 3 : 1;
    ImGui_ImplGlfw_ScrollCallback(w, -dx / per_notch, -dy / per_notch);
    wake();
}
void on_focus(GLFWwindow*, int) { wake(); }
void on_enter(GLFWwindow*, int) { wake(); }
} // namespace

// [JS] Page-side hooks set by web/threadlab.js.
EM_JS(void, js_announce_ready, (), { if (Module.threadlabReady) Module.threadlabReady(); });
EM_JS(void, js_report_finished, (const char* json), {
    if (Module.threadlabRunFinished) Module.threadlabRunFinished(UTF8ToString(json));
});
// The canvas's CSS size: the window's, less the simulated-threads notice if the page shows one.
EM_JS(int, js_window_width, (), { return Module.canvas.clientWidth | 0; });
// The canvas's pixels and GLFW's window size. Not glfwSetWindowSize: Emscripten 3.1.6's asks for
// fullscreen instead when the size equals the screen's (a browser window in F11 fullscreen, a
// headless browser whose screen is its viewport), and the size then never changes.
EM_JS(void, js_resize_canvas, (int width, int height), {
    Browser.setCanvasSize(width, height);
    if (GLFW.active) {
        GLFW.active.width = width;
        GLFW.active.height = height;
    }
});
// Screen pixels per CSS px (2 on most phones and Retina screens; browser zoom changes it too).
// The canvas is drawn at that resolution; capped at 3, where text is as sharp as it gets.
EM_JS(double, js_pixel_ratio, (), { return Math.min(Math.max(window.devicePixelRatio || 1, 1), 3); });
// Copy: the browser's clipboard (GLFW's in Emscripten keeps text to itself). The click that led
// here was a moment ago, so the page still has the user activation writeText needs.
EM_JS(void, js_copy_text, (const char* text), {
    const value = UTF8ToString(text);
    if (navigator.clipboard) navigator.clipboard.writeText(value).catch((e) => console.warn('Copy failed: ' + e.message));
});
EM_JS(int, js_prefers_reduced_motion, (), {
    if (!window.matchMedia) return 0;
    Module.reducedMotionQuery = Module.reducedMotionQuery || matchMedia('(prefers-reduced-motion: reduce)');
    return Module.reducedMotionQuery.matches ? 1 : 0;
});
// A run began (from the page's API or the UI): the page announces it (web/threadlab.js).
EM_JS(void, js_report_started, (), { if (Module.threadlabRunStarted) Module.threadlabRunStarted(); });
EM_JS(int, js_prefers_light, (), { return window.matchMedia && matchMedia('(prefers-color-scheme: light)').matches ? 1 : 0; });
// The embed's "Open in Threadlab": the full page with the same scenario, in a new tab.
// "Download trace": the browser saves the run's Chrome trace as threadlab-trace.json.
EM_JS(void, js_download_trace, (const char* json), {
    const url = URL.createObjectURL(new Blob([UTF8ToString(json)], {type: 'application/json'}));
    const link = Object.assign(document.createElement('a'), {href: url, download: 'threadlab-trace.json'});
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
});
EM_JS(void, js_open_full_page, (const char* query), {
    window.open(location.pathname + '?' + UTF8ToString(query), '_blank', 'noopener');
});
EM_JS(int, js_window_height, (), { return Module.canvas.clientHeight | 0; });
// The canvas's pixels: its CSS size times the ratio.
static std::pair<int, int> canvas_pixels(double ratio) {
    return {static_cast<int>(js_window_width() * ratio + 0.5), static_cast<int>(js_window_height() * ratio + 0.5)};
}
// The embed's preferred height (0: not embedded), for the page's threadlab:resize message.
EM_JS(void, js_preferred_height, (int height), {
    if (Module.threadlabPreferredHeight) Module.threadlabPreferredHeight(height);
});

extern "C" {
// Starts a run from a query ("kind=sleep&count=10"). Returns "" or why it did not start.
EMSCRIPTEN_KEEPALIVE const char* threadlab_run(const char* query) {
    wake();
    returned = app->run_query(query);
    return returned.c_str();
}
// Puts a scenario into the panel without running it. Returns {"error": "" or what is invalid,
// "autorun": whether the query asks to run at once} - the one parser decides both.
EMSCRIPTEN_KEEPALIVE const char* threadlab_load(const char* query) {
    wake();
    bool autorun = false;
    std::string error = app->load_query(query, autorun);
    returned = playground::json_text({{"error", error}, {"autorun", autorun}});
    return returned.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* threadlab_state() {
    returned = app->state_json();
    return returned.c_str();
}
// The current (or last) run as a Chrome trace (JSON), "" before the first run.
EMSCRIPTEN_KEEPALIVE const char* threadlab_trace() {
    returned = app->trace_json();
    return returned.c_str();
}
EMSCRIPTEN_KEEPALIVE void threadlab_cancel() {
    wake();
    app->cancel();
}
EMSCRIPTEN_KEEPALIVE void threadlab_show_message(const char* message) {
    wake();
    app->show_message(message);
}
#ifdef THREADLAB_SIM
// Step mode (window.threadlab.setStepping / step): the step runs at the start of the next frame.
EMSCRIPTEN_KEEPALIVE void threadlab_set_stepping(int on) {
    wake();
    app->step_control().on = on != 0;
}
EMSCRIPTEN_KEEPALIVE void threadlab_step(double ident) {
    wake();
    app->step_control().choice = static_cast<unsigned long>(ident);
}
// window.threadlab.explore(schedules): "" or why not; state().explore follows it.
EMSCRIPTEN_KEEPALIVE const char* threadlab_explore(int schedules) {
    wake();
    returned = app->explore(schedules);
    return returned.c_str();
}
#endif
}

// While the program starts threads, each pthread_create waits for a turn of this thread (the
// browser's main thread creates Workers). Rendering a frame can take tens of ms (a software GL),
// so frames are spaced out meanwhile; the page still redraws at least this often. (Simulated
// threads start without this thread's help, so there every frame is drawn: in the 1000-thread
// run a 40% lower frame-interval p95 in Chromium for +0.3 s of wall time, see BENCHMARKS.md.)
constexpr double kStartingThreadsFrameMs = 500;

// Whether this animation frame must be drawn: while a run is in flight (and a moment after it,
// for its report), while thumbnails wait to be decoded (a few per frame: on a loaded machine the
// settling frames after a run are not enough), while a text field has the keyboard (its cursor
// blinks), and until draw_until.
static bool wants_frame(double now) {
    static bool was_busy = false;
    const bool busy = app->busy();
    if (was_busy && !busy) wake();
    if (!was_busy && busy) js_report_started();
    was_busy = busy;
    if (frames_owed > 0) {
        --frames_owed;
        return true;
    }
    return !announced_ready || busy || app->decoding_thumbnails() || now < draw_until ||
           ImGui::GetIO().WantTextInput;
}

#ifdef THREADLAB_SIM
// Of a 16.7 ms frame at 60 Hz: the rest draws the frame.
constexpr auto kSimSliceMs = std::chrono::milliseconds(10);
// A switch costs microseconds here (Asyncify unwinds and rewinds the stack): the race preset's
// 8 million shared-value accesses take 26 s switching at each, about 1 s at runs of mean 50
// (threadlab::sim::set_quantum), and still lose most updates.
constexpr std::uint64_t kSimQuantum = 50;

// [JS] Module.threadlabRunThreadsIn(ms) runs threadlab_run_threads after `ms`, in place of a call
// already asked for: a sleep ends on time, not at the next frame (which a software renderer may
// draw 100 ms later). A download that ends asks for 0 (Module.threadlabWakeThreads,
// fetch_emscripten.cpp).
EM_JS(void, js_install_threads_timer, (), {
    Module.threadlabRunThreadsIn = (ms) => {
        clearTimeout(Module.threadlabThreadsTimer);
        Module.threadlabThreadsTimer = setTimeout(() => _threadlab_run_threads(), ms);
    };
    Module.threadlabWakeThreads = () => Module.threadlabRunThreadsIn(0);
});
EM_JS(void, js_run_threads_in, (double ms), { Module.threadlabRunThreadsIn(ms); });

// Gives the simulated threads their turn (in step mode: the one step the reader chose, if any),
// then asks to be called again at their next deadline.
extern "C" EMSCRIPTEN_KEEPALIVE void threadlab_run_threads() {
    playground::StepControl& step = app->step_control();
    threadlab::sim::set_stepping(step.on);
    if (step.on && step.choice) {
        const unsigned long ident = *step.choice;
        step.choice.reset();
        try {
            threadlab::sim::step(ident);
        } catch (const std::exception& error) { // the thread ended or blocked since it was offered
            app->show_message(error.what());
        }
    } else {
        // An exploration's runs follow one another within the slice, not one per frame.
        const auto until = std::chrono::steady_clock::now() + kSimSliceMs;
        do {
            if (threadlab::sim::threads_can_run()) // step mode: no thread runs, but deadlines come
                threadlab::sim::run_for(until - std::chrono::steady_clock::now());
        } while (std::chrono::steady_clock::now() < until && app->explore_next());
    }
    if (auto wait = threadlab::sim::until_next_deadline())
        js_run_threads_in(std::chrono::duration<double, std::milli>(*wait).count());
}
#endif

static void frame() {
#ifdef THREADLAB_SIM
    threadlab_run_threads();
#endif
    static double last_render = 0;
    // Serve threads waiting on this thread (pthread_create, ...) before and during the frame, not
    // only when it ends.
    emscripten_main_thread_process_queued_calls();
    const double now = emscripten_get_now();
    const double ratio = js_pixel_ratio();
    const auto [width, height] = canvas_pixels(ratio);
    int current_w = 0, current_h = 0;
    glfwGetWindowSize(window, &current_w, &current_h);
    static int theme_check = 0; // theme=auto: notice the reader switching, about once a second
    if (++theme_check % 60 == 0 && app->refresh_theme()) wake();
    if (width > 0 && height > 0 && (width != current_w || height != current_h)) {
        js_resize_canvas(width, height);
        wake();
    }
    if (!wants_frame(now)) return;
    if (!threadlab::detail::simulated && app->starting_threads() &&
        now - last_render < kStartingThreadsFrameMs)
        return;
    last_render = now;

    playground::draw_frame(*app, window, static_cast<float>(ratio), emscripten_main_thread_process_queued_calls);

    if (auto report = app->take_finished_report()) js_report_finished(report->c_str());
    static int preferred_height = -1;
    if (app->preferred_embed_height() != preferred_height) {
        preferred_height = app->preferred_embed_height();
        js_preferred_height(preferred_height);
    }
    if (!announced_ready) {
        announced_ready = true;
        js_announce_ready();
        wake(); // ImGui settles over a few frames (a tab bar lays its tabs out on the second)
    }
}

int main() {
    if (!glfwInit()) return 1;
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    glfwWindowHint(GLFW_DEPTH_BITS, 0);
    glfwWindowHint(GLFW_STENCIL_BITS, 0);
    glfwWindowHint(GLFW_ALPHA_BITS, 0);
    const auto [width, height] = canvas_pixels(js_pixel_ratio());
    window = glfwCreateWindow(width, height, "Threadlab playground", nullptr, nullptr);
    if (!window) return 1;
    glfwMakeContextCurrent(window);

    glfwSetCursorPosCallback(window, on_cursor);
    glfwSetMouseButtonCallback(window, on_button);
    glfwSetKeyCallback(window, on_key);
    glfwSetCharCallback(window, on_char);
    glfwSetWindowFocusCallback(window, on_focus);
    glfwSetCursorEnterCallback(window, on_enter);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr; // no imgui.ini in the browser's virtual file system
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 300 es");
    js_track_wheel_mode();
    glfwSetScrollCallback(window, on_scroll); // in place of ImGui's (see on_scroll)

#ifdef THREADLAB_SIM
    threadlab::sim::run_for({}); // from now on this thread is the host: threads run in frame()
    threadlab::sim::set_quantum(kSimQuantum);
    js_install_threads_timer();
#endif
    app = new playground::App(); // lives as long as the page
    app->init(/*echo_console_to_stdout=*/false);
    app->set_open_full_page([](const std::string& query) { js_open_full_page(query.c_str()); });
    app->set_prefers_light([] { return js_prefers_light() != 0; });
    app->set_reduced_motion([] { return js_prefers_reduced_motion() != 0; });
    app->set_copy_text([](const std::string& text) { js_copy_text(text.c_str()); });
    app->set_save_trace([](const std::string& json) { js_download_trace(json.c_str()); });
    emscripten_set_main_loop(frame, 0, true); // never returns
    return 0;
}
