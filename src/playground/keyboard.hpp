// playground/keyboard.hpp - the playground by keyboard: Tab through the main controls, Enter or
// Space presses the one with the focus, arrows move between all widgets (ImGui's keyboard nav).
//
// ImGui 1.86 moves Tab only between text fields, and presses a focused button only with Space.
// So Tab is taken before ImGui sees it and moves the focus along the controls that called
// add_tab_stop() last frame, in the order they were drawn; Enter presses like Space. The first Tab
// goes to the primary stop (Run), so Tab, Enter runs the example.
#pragma once

namespace playground {

// From the window's GLFW key callback (its key, action and mods): a press is kept until the next
// frame, however short (a frame can take longer than a key is held, and ImGui 1.86 reads key
// state per frame).
void keyboard_on_key(int key, int action, int mods);

// Once per frame, before ImGui::NewFrame().
void keyboard_before_frame();

// After a widget that Tab should reach.
void add_tab_stop(bool primary = false);

// The same around a widget: `if (tab_stop(ImGui::Button("Copy")))`.
inline bool tab_stop(bool widget_result, bool primary = false) {
    add_tab_stop(primary);
    return widget_result;
}

} // namespace playground
