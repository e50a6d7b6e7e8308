#include "draw_frame.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "app.hpp"
#include "gl.hpp"
#include "keyboard.hpp"
#include "theme.hpp"

namespace playground {

FramebufferSize draw_frame(App& app, GLFWwindow* window, void (*after_build)()) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
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
