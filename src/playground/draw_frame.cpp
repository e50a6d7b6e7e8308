#include "draw_frame.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "app.hpp"
#include "gl.hpp"
#include "keyboard.hpp"
#include "theme.hpp"

namespace playground {
namespace {

// ImGui's built-in font, rasterised for `pixels_per_unit` framebuffer pixels per UI unit and drawn
// at its usual 13 units: crisp text at any scale, the same layout at every scale.
void rasterise_font(float pixels_per_unit) {
    static float rasterised_for = 0;
    if (pixels_per_unit == rasterised_for) return;
    rasterised_for = pixels_per_unit;
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    ImFontConfig config;
    config.SizePixels = 13.0f * pixels_per_unit;
    io.Fonts->AddFontDefault(&config);
    io.FontGlobalScale = 1.0f / pixels_per_unit;
    ImGui_ImplOpenGL3_DestroyFontsTexture(); // made again by the next NewFrame
}

} // namespace

FramebufferSize draw_frame(App& app, GLFWwindow* window, float scale, void (*after_build)()) {
    ImGui_ImplGlfw_NewFrame();
    // The GLFW backend measures the UI in window units and knows the framebuffer's scale against
    // them (2 on a Retina Mac); where the window units are device pixels (X11, the browser's
    // canvas) the rest of `scale` is applied here, so that the UI keeps its size in points.
    ImGuiIO& io = ImGui::GetIO();
    const float extra = std::max(0.5f, scale / std::max(io.DisplayFramebufferScale.x, 0.01f));
    if (extra != 1.0f) {
        io.DisplaySize = {io.DisplaySize.x / extra, io.DisplaySize.y / extra};
        io.DisplayFramebufferScale = {io.DisplayFramebufferScale.x * extra, io.DisplayFramebufferScale.y * extra};
        if (ImGui::IsMousePosValid()) io.MousePos = {io.MousePos.x / extra, io.MousePos.y / extra};
    }
    rasterise_font(io.DisplayFramebufferScale.x);
    ImGui_ImplOpenGL3_NewFrame();
    keyboard_before_frame();
    ImGui::NewFrame();
    app.frame();
    ImGui::Render();
    if (after_build) after_build();
    FramebufferSize size;
    glfwGetFramebufferSize(window, &size.width, &size.height);
    glViewport(0, 0, size.width, size.height);
    const ImVec4 clear = palette().clear;
    glClearColor(clear.x, clear.y, clear.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    return size;
}

} // namespace playground
