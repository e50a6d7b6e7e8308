#include <imgui.h>

#include "panels.hpp"
#include "theme.hpp"

namespace playground {

void draw_console_panel(const RunState::Snapshot& s) {
    ImGui::BeginChild("console", {0, 0}, false, ImGuiWindowFlags_HorizontalScrollbar);
    const bool at_bottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 2;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(s.console.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const std::string& line = s.console[i];
            const bool bad = line.find(" failed: ") != std::string::npos || line.rfind("Traceback", 0) == 0 ||
                             line.find("Error") != std::string::npos;
            const bool summary = line.rfind("Successfully Executed", 0) == 0 || line.rfind("Finished in", 0) == 0;
            if (bad) ImGui::TextColored(palette().error, "%s", line.c_str());
            else if (summary) ImGui::TextColored(palette().good, "%s", line.c_str());
            else ImGui::TextUnformatted(line.c_str());
        }
    }
    if (at_bottom) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
}

} // namespace playground
