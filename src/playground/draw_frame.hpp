// playground/draw_frame.hpp - one frame of the playground, the same on the desktop and in the browser.
//
// main_desktop.cpp and main_web.cpp own the window, the GL context and the loop (a 60 fps cap
// natively, requestAnimationFrame in the browser); what a frame is lives here once.
#pragma once

struct GLFWwindow;

namespace playground {

class App;

struct FramebufferSize {
    int width = 0, height = 0;
};

// Builds the ImGui frame (App::frame), clears the window's framebuffer and draws the frame into
// it; does not swap buffers. `scale` is the screen's pixels per point (devicePixelRatio in the
// browser, GLFW's content scale on the desktop): the UI is laid out in points and drawn, fonts
// included, at the screen's resolution. after_build, when given, runs between building and drawing
// (the browser serves the threads waiting on its main thread there). Returns the framebuffer's size.
FramebufferSize draw_frame(App& app, GLFWwindow* window, float scale, void (*after_build)() = nullptr);

} // namespace playground
