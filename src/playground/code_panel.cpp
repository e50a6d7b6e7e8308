#include <algorithm>
#include <cmath>
#include <imgui.h>

#include "keyboard.hpp"
#include "panels.hpp"
#include "theme.hpp"

namespace playground {
namespace {

// The narrowest code column worth showing: the 80 columns code is written to.
constexpr int kWantedColumns = 80;

// Characters of monospace text a column of this width shows without scrolling.
int columns_in(float width) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float text_w = width - 2 * style.WindowPadding.x - style.ScrollbarSize - 2 * style.ChildBorderSize;
    return std::max(0, static_cast<int>(std::floor(text_w / ImGui::CalcTextSize("M").x)));
}

} // namespace

CodePanelResult draw_code_panel(const CodeListing& listing, CodeLanguage lang) {
    CodePanelResult out;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float half = (avail - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    // Both languages side by side only while each still gets 80 columns; else one tab each.
    out.side_by_side = lang == CodeLanguage::both && columns_in(half) >= kWantedColumns;
    const float width = out.side_by_side ? half : avail;
    out.columns = columns_in(width);
    // The heading row: a title (or the tabs) on the left, Copy on the right.
    auto copy_button = [width, &out](const std::string& code, float after) {
        const float copy_w = ImGui::CalcTextSize("Copy").x + ImGui::GetStyle().FramePadding.x * 2;
        // Inside a group SameLine() counts from the group's left edge: the column's right edge.
        ImGui::SameLine(std::max(width - copy_w, after));
        if (tab_stop(ImGui::SmallButton("Copy"))) out.copied = &code;
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Copy the whole program");
    };
    auto text = [width, &out](const char* id, const std::string& code) {
        ImGui::BeginChild(id, {width, 0}, true, ImGuiWindowFlags_HorizontalScrollbar);
        ImGui::TextUnformatted(code.c_str());
        out.scroll_max_x = std::max(out.scroll_max_x, ImGui::GetScrollMaxX());
        ImGui::EndChild();
        for (size_t begin = 0; begin < code.size();) {
            const size_t end = std::min(code.find('\n', begin), code.size());
            out.longest_line = std::max(out.longest_line, static_cast<int>(end - begin));
            begin = end + 1;
        }
    };
    auto column = [&](const char* id, const char* title, const std::string& code) {
        ImGui::PushID(id);
        ImGui::BeginGroup();
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(palette().accent, "%s", title);
        copy_button(code, ImGui::CalcTextSize(title).x + ImGui::GetStyle().ItemSpacing.x);
        text(id, code);
        ImGui::EndGroup();
        ImGui::PopID();
    };
    if (lang == CodeLanguage::both && !out.side_by_side) {
        const std::string* shown = &listing.cpp;
        const char* id = "cpp";
        ImGui::BeginGroup();
        if (ImGui::BeginTabBar("language")) {
            if (ImGui::BeginTabItem("C++ (Threadlab)")) ImGui::EndTabItem();
            else shown = &listing.python, id = "python";
            if (ImGui::BeginTabItem("Python (the tutorial)")) ImGui::EndTabItem();
            ImGui::EndTabBar();
        }
        ImGui::PushID(id);
        ImGui::SameLine();
        copy_button(*shown, ImGui::GetCursorPosX() - ImGui::GetWindowContentRegionMin().x);
        text(id, *shown);
        ImGui::PopID();
        ImGui::EndGroup();
        return out;
    }
    if (lang != CodeLanguage::python) column("cpp", "C++ (Threadlab)", listing.cpp);
    if (out.side_by_side) ImGui::SameLine();
    if (lang != CodeLanguage::cpp) column("python", "Python (the tutorial)", listing.python);
    return out;
}

} // namespace playground
