// playground/screenshot.hpp - save what was just rendered as a PNG (desktop smoke tests).
#pragma once

#include <string>

namespace playground {

// Reads the current framebuffer (before the swap) and writes it to `path` as PNG.
bool save_framebuffer_png(const std::string& path, int width, int height, std::string& error);

} // namespace playground
