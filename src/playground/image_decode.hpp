// playground/image_decode.hpp - downloaded bytes -> a small RGBA thumbnail (stb_image).
//
// Runs on the task's own thread, so decoding never costs the UI a frame; the UI thread only
// uploads the finished pixels to a texture.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "run_state.hpp"

namespace playground {

// nullopt when the bytes are not an image stb_image can read. The longer side becomes max_side.
std::optional<Thumbnail> decode_thumbnail(const std::vector<std::uint8_t>& bytes, int max_side);

} // namespace playground
