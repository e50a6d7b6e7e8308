#include "theme.hpp"

namespace playground {

ImVec4 status_color(TaskStatus status) {
    switch (status) {
    case TaskStatus::queued: return {0.56f, 0.52f, 0.80f, 1.0f};
    case TaskStatus::running: return {0.26f, 0.58f, 1.00f, 1.0f};
    case TaskStatus::done: return {0.27f, 0.74f, 0.42f, 1.0f};
    case TaskStatus::failed: return {0.92f, 0.28f, 0.28f, 1.0f};
    case TaskStatus::cancelled: return {0.50f, 0.50f, 0.53f, 1.0f};
    }
    return {1, 1, 1, 1};
}

namespace {
const Palette kDark{
    {0.33f, 0.62f, 1.00f, 1.00f}, {0.60f, 0.63f, 0.70f, 1.00f}, {1.00f, 0.42f, 0.42f, 1.00f}, {0.36f, 0.84f, 0.50f, 1.00f},
    {0.115f, 0.125f, 0.150f, 1.00f}, {0.135f, 0.145f, 0.175f, 1.00f},
    IM_COL32(150, 155, 170, 255), IM_COL32(110, 115, 130, 255), IM_COL32(255, 255, 255, 14),
    IM_COL32(215, 220, 230, 255), IM_COL32(180, 170, 240, 255), IM_COL32(255, 210, 90, 200),
    {0.06f, 0.065f, 0.08f, 1.0f}};
const Palette kLight{
    {0.10f, 0.40f, 0.85f, 1.00f}, {0.38f, 0.40f, 0.46f, 1.00f}, {0.80f, 0.14f, 0.14f, 1.00f}, {0.10f, 0.55f, 0.25f, 1.00f},
    {0.955f, 0.960f, 0.970f, 1.00f}, {0.915f, 0.925f, 0.940f, 1.00f},
    IM_COL32(95, 100, 115, 255), IM_COL32(120, 125, 140, 255), IM_COL32(0, 0, 0, 18),
    IM_COL32(35, 40, 50, 255), IM_COL32(90, 70, 170, 255), IM_COL32(200, 120, 0, 220),
    {0.93f, 0.94f, 0.95f, 1.0f}};
Theme theme_now = Theme::dark;

void apply_light_colors(ImVec4* c) {
    ImGui::StyleColorsLight();
    c[ImGuiCol_WindowBg] = {0.985f, 0.985f, 0.99f, 1.0f};
    c[ImGuiCol_ChildBg] = {1, 1, 1, 1};
    c[ImGuiCol_Border] = {0.80f, 0.82f, 0.86f, 1.0f};
    c[ImGuiCol_TitleBg] = c[ImGuiCol_TitleBgActive] = {0.90f, 0.91f, 0.93f, 1.0f};
    c[ImGuiCol_FrameBg] = {0.90f, 0.91f, 0.94f, 1.0f};
    c[ImGuiCol_SliderGrab] = c[ImGuiCol_CheckMark] = kLight.accent;
    c[ImGuiCol_Text] = {0.10f, 0.11f, 0.14f, 1.0f};
    c[ImGuiCol_TextDisabled] = kLight.text_dim;
    c[ImGuiCol_ScrollbarBg] = {0, 0, 0, 0};
}
} // namespace

const Palette& palette() { return theme_now == Theme::light ? kLight : kDark; }
Theme current_theme() { return theme_now; }

void apply_theme(Theme theme) {
    theme_now = theme;
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 0;
    style.ChildRounding = 4;
    style.FrameRounding = 4;
    style.GrabRounding = 4;
    style.PopupRounding = 4;
    style.ScrollbarRounding = 6;
    style.TabRounding = 4;
    style.WindowBorderSize = 1;
    style.FrameBorderSize = 0;
    style.WindowPadding = {10, 8};
    style.FramePadding = {7, 4};
    style.ItemSpacing = {8, 6};
    style.ScrollbarSize = 12;
    style.GrabMinSize = 10;

    ImVec4* c = style.Colors;
    if (theme == Theme::light) {
        apply_light_colors(c);
        return;
    }
    const ImVec4 bg{0.085f, 0.090f, 0.110f, 1.0f};
    const ImVec4 panel{0.105f, 0.112f, 0.135f, 1.0f};
    const ImVec4 frame{0.160f, 0.170f, 0.205f, 1.0f};
    c[ImGuiCol_WindowBg] = panel;
    c[ImGuiCol_ChildBg] = bg;
    c[ImGuiCol_PopupBg] = {0.12f, 0.13f, 0.16f, 0.98f};
    c[ImGuiCol_Border] = {0.20f, 0.22f, 0.27f, 1.0f};
    c[ImGuiCol_TitleBg] = {0.075f, 0.080f, 0.100f, 1.0f};
    c[ImGuiCol_TitleBgActive] = {0.100f, 0.115f, 0.150f, 1.0f};
    c[ImGuiCol_TitleBgCollapsed] = c[ImGuiCol_TitleBg];
    c[ImGuiCol_FrameBg] = frame;
    c[ImGuiCol_FrameBgHovered] = {0.20f, 0.22f, 0.27f, 1.0f};
    c[ImGuiCol_FrameBgActive] = {0.23f, 0.26f, 0.32f, 1.0f};
    c[ImGuiCol_Button] = {0.18f, 0.20f, 0.25f, 1.0f};
    c[ImGuiCol_ButtonHovered] = {0.24f, 0.28f, 0.36f, 1.0f};
    c[ImGuiCol_ButtonActive] = {0.28f, 0.34f, 0.45f, 1.0f};
    c[ImGuiCol_Header] = {0.20f, 0.26f, 0.38f, 1.0f};
    c[ImGuiCol_HeaderHovered] = {0.24f, 0.32f, 0.47f, 1.0f};
    c[ImGuiCol_HeaderActive] = {0.27f, 0.37f, 0.55f, 1.0f};
    c[ImGuiCol_SliderGrab] = kDark.accent;
    c[ImGuiCol_SliderGrabActive] = {0.50f, 0.72f, 1.0f, 1.0f};
    c[ImGuiCol_CheckMark] = kDark.accent;
    c[ImGuiCol_Tab] = {0.14f, 0.15f, 0.19f, 1.0f};
    c[ImGuiCol_TabHovered] = {0.24f, 0.32f, 0.47f, 1.0f};
    c[ImGuiCol_TabActive] = {0.20f, 0.26f, 0.38f, 1.0f};
    c[ImGuiCol_Separator] = c[ImGuiCol_Border];
    c[ImGuiCol_Text] = {0.90f, 0.92f, 0.95f, 1.0f};
    c[ImGuiCol_TextDisabled] = kDark.text_dim;
    c[ImGuiCol_ScrollbarBg] = {0, 0, 0, 0};
}

} // namespace playground
