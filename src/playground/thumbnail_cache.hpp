// playground/thumbnail_cache.hpp - GL textures of the downloaded images' thumbnails.
//
// Task threads decode (image_decode.hpp); this class, on the UI thread, turns the pixels into
// textures, since only the thread that owns the GL context may call GL.
#pragma once

#include <imgui.h>
#include <map>
#include <vector>

#include "gl.hpp"
#include "run_state.hpp"

namespace playground {

class ThumbnailCache {
public:
    struct Texture {
        GLuint id = 0;
        int width = 0, height = 0;
    };
    ~ThumbnailCache();
    void upload(std::vector<Thumbnail> thumbnails);
    void clear();
    const std::map<int, Texture>& textures() const { return textures_; } // by task id

private:
    std::map<int, Texture> textures_;
};

} // namespace playground
