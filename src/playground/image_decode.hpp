// playground/image_decode.hpp - downloaded bytes -> a small RGBA thumbnail (stb_image).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace playground {

struct Thumbnail {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba; // width * height * 4
};

// nullopt when the bytes are not an image stb_image can read. The longer side becomes max_side.
std::optional<Thumbnail> decode_thumbnail(const std::vector<std::uint8_t>& bytes, int max_side);

} // namespace playground
