#include "screenshot.hpp"

#include <vector>

#include "gl.hpp"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace playground {

bool save_framebuffer_png(const std::string& path, int width, int height, std::string& error) {
    if (width <= 0 || height <= 0) {
        error = "empty framebuffer";
        return false;
    }
    std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    for (auto i = 3u; i < pixels.size(); i += 4) pixels[i] = 255; // the window is opaque
    stbi_flip_vertically_on_write(1); // GL's rows run bottom-up
    if (!stbi_write_png(path.c_str(), width, height, 4, pixels.data(), width * 4)) {
        error = "cannot write " + path;
        return false;
    }
    return true;
}

} // namespace playground
