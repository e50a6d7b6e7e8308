#include <imgui.h>

#include "panels.hpp"
#include "theme.hpp"

namespace playground {

void draw_code_panel(const CodeListing& listing, CodeLanguage lang) {
    const bool both = lang == CodeLanguage::both;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float width = both ? (avail - ImGui::GetStyle().ItemSpacing.x) * 0.5f : avail;
    auto column = [width](const char* id, const char* title, const std::string& code) {
        ImGui::BeginGroup();
        ImGui::TextColored(palette().accent, "%s", title);
        ImGui::BeginChild(id, {width, 0}, true, ImGuiWindowFlags_HorizontalScrollbar);
        ImGui::TextUnformatted(code.c_str());
        ImGui::EndChild();
        ImGui::EndGroup();
    };
    if (lang != CodeLanguage::python) column("cpp", "C++ (Threadlab)", listing.cpp);
    if (both) ImGui::SameLine();
    if (lang != CodeLanguage::cpp) column("python", "Python (the tutorial)", listing.python);
}

} // namespace playground
