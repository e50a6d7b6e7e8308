#include <imgui.h>

#include "panels.hpp"
#include "theme.hpp"

namespace playground {

void draw_code_panel(const CodeListing& listing) {
    const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    auto column = [half](const char* id, const char* title, const std::string& code) {
        ImGui::BeginGroup();
        ImGui::TextColored(colors::accent, "%s", title);
        ImGui::BeginChild(id, {half, 0}, true, ImGuiWindowFlags_HorizontalScrollbar);
        ImGui::TextUnformatted(code.c_str());
        ImGui::EndChild();
        ImGui::EndGroup();
    };
    column("cpp", "C++ (Threadlab)", listing.cpp);
    ImGui::SameLine();
    column("python", "Python (the tutorial)", listing.python);
}

} // namespace playground
