#include <algorithm>
#include <imgui.h>

#include "keyboard.hpp"
#include "panels.hpp"
#include "theme.hpp"

namespace playground {

const std::string* draw_code_panel(const CodeListing& listing, CodeLanguage lang) {
    const bool both = lang == CodeLanguage::both;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float width = both ? (avail - ImGui::GetStyle().ItemSpacing.x) * 0.5f : avail;
    const std::string* copied = nullptr;
    auto column = [width, &copied](const char* id, const char* title, const std::string& code) {
        ImGui::PushID(id);
        ImGui::BeginGroup();
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(palette().accent, "%s", title);
        const float copy_w = ImGui::CalcTextSize("Copy").x + ImGui::GetStyle().FramePadding.x * 2;
        // Inside a group SameLine() counts from the group's left edge: the column's right edge.
        const float after_title = ImGui::CalcTextSize(title).x + ImGui::GetStyle().ItemSpacing.x;
        ImGui::SameLine(std::max(width - copy_w, after_title));
        if (tab_stop(ImGui::SmallButton("Copy"))) copied = &code;
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Copy the whole program");
        ImGui::BeginChild(id, {width, 0}, true, ImGuiWindowFlags_HorizontalScrollbar);
        ImGui::TextUnformatted(code.c_str());
        ImGui::EndChild();
        ImGui::EndGroup();
        ImGui::PopID();
    };
    if (lang != CodeLanguage::python) column("cpp", "C++ (Threadlab)", listing.cpp);
    if (both) ImGui::SameLine();
    if (lang != CodeLanguage::cpp) column("python", "Python (the tutorial)", listing.python);
    return copied;
}

} // namespace playground
