#include "image_decode.hpp"

#include <algorithm>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#include <stb/stb_image.h>

namespace playground {

std::optional<Thumbnail> decode_thumbnail(const std::vector<std::uint8_t>& bytes, int max_side) {
    if (bytes.empty()) return std::nullopt;
    int width = 0, height = 0, channels = 0;
    stbi_uc* pixels = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width,
                                            &height, &channels, 4);
    if (!pixels) return std::nullopt;
    // Box filter: every thumbnail pixel averages the source pixels it covers.
    const double scale = std::min(1.0, static_cast<double>(max_side) / std::max(width, height));
    Thumbnail thumb;
    thumb.width = std::max(1, static_cast<int>(width * scale));
    thumb.height = std::max(1, static_cast<int>(height * scale));
    thumb.rgba.resize(static_cast<size_t>(thumb.width) * thumb.height * 4);
    for (int y = 0; y < thumb.height; ++y) {
        const int y0 = y * height / thumb.height, y1 = std::max(y0 + 1, (y + 1) * height / thumb.height);
        for (int x = 0; x < thumb.width; ++x) {
            const int x0 = x * width / thumb.width, x1 = std::max(x0 + 1, (x + 1) * width / thumb.width);
            unsigned sum[4] = {0, 0, 0, 0};
            for (int sy = y0; sy < y1; ++sy)
                for (int sx = x0; sx < x1; ++sx)
                    for (int c = 0; c < 4; ++c) sum[c] += pixels[(static_cast<size_t>(sy) * width + sx) * 4 + c];
            const unsigned n = static_cast<unsigned>((y1 - y0) * (x1 - x0));
            for (int c = 0; c < 4; ++c)
                thumb.rgba[(static_cast<size_t>(y) * thumb.width + x) * 4 + c] = static_cast<std::uint8_t>(sum[c] / n);
        }
    }
    stbi_image_free(pixels);
    return thumb;
}

} // namespace playground
