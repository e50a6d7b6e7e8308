#include "keyboard.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <imgui.h>
#include <imgui_internal.h>
#include <utility>
#include <vector>

namespace playground {
namespace {

struct TabOrder {
    std::vector<ImGuiID> last_frame, this_frame;
    ImGuiID primary_last_frame = 0, primary_this_frame = 0;
    ImGuiID target = 0; // the stop to focus when it is drawn this frame
    std::vector<bool> tabs; // Tab presses since the last frame: true for Shift+Tab
    bool enter = false;     // an Enter press since the last frame
};
TabOrder order;

// The stop after (or before) the focused one; the primary one (or the first or last) when none
// of them has the focus.
ImGuiID next_stop(ImGuiID focused, bool backwards) {
    const auto& stops = order.last_frame;
    if (stops.empty()) return 0;
    const auto at = std::find(stops.begin(), stops.end(), focused);
    const long n = static_cast<long>(stops.size());
    if (at == stops.end()) return order.primary_last_frame ? order.primary_last_frame : backwards ? stops.back() : stops.front();
    const long i = at - stops.begin();
    return stops[static_cast<size_t>((i + (backwards ? n - 1 : 1)) % n)];
}

} // namespace

void keyboard_on_key(int key, int action, int mods) {
    if (action != GLFW_PRESS && action != GLFW_REPEAT) return;
    const ImGuiIO& io = ImGui::GetIO();
    if (key == io.KeyMap[ImGuiKey_Tab] && !(mods & (GLFW_MOD_CONTROL | GLFW_MOD_ALT)))
        order.tabs.push_back(mods & GLFW_MOD_SHIFT);
    if (key == io.KeyMap[ImGuiKey_Enter] || key == io.KeyMap[ImGuiKey_KeyPadEnter]) order.enter = true;
}

void keyboard_before_frame() {
    ImGuiIO& io = ImGui::GetIO();
    // Tab moves along the stops the frame just built registered; until a frame has some, presses
    // wait (a key pressed as the page becomes ready is not lost).
    order.last_frame.swap(order.this_frame);
    order.this_frame.clear();
    order.primary_last_frame = std::exchange(order.primary_this_frame, 0);
    for (bool backwards : order.tabs) {
        if (order.last_frame.empty()) break;
        // ImGui gives a window's first item the nav id unseen; only a shown focus counts (after
        // a click the focus ring is hidden, and Tab starts again at Run).
        const ImGuiID focused = order.target ? order.target : GImGui->NavDisableHighlight ? 0 : GImGui->NavId;
        order.target = next_stop(focused, backwards);
    }
    if (!order.last_frame.empty()) order.tabs.clear();
    const int tab = io.KeyMap[ImGuiKey_Tab];
    if (tab >= 0) io.KeysDown[tab] = false; // ImGui's own tabbing would jump between text fields only
    // Enter presses the focused button as Space does (a text field being edited keeps its Enter);
    // after a Tab it waits for the focus to arrive.
    if (order.enter && order.target == 0 && order.tabs.empty()) {
        order.enter = false;
        if (!io.WantTextInput) io.NavInputs[ImGuiNavInput_Activate] = 1.0f;
    }
}

void add_tab_stop(bool primary) {
    const ImGuiID id = ImGui::GetItemID();
    if (id == 0) return;
    order.this_frame.push_back(id);
    if (primary) order.primary_this_frame = id;
    if (id != order.target) return;
    ImGuiContext& g = *GImGui;
    ImGui::SetFocusID(id, ImGui::GetCurrentWindow());
    g.NavDisableHighlight = false; // show the focus ring
    g.NavDisableMouseHover = true;
    ImGui::ScrollToRectEx(ImGui::GetCurrentWindow(), g.LastItemData.Rect, 0);
    order.target = 0;
}

} // namespace playground
