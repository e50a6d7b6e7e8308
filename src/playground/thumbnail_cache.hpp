// playground/thumbnail_cache.hpp - GL textures of the downloaded images' thumbnails.
//
// The UI thread decodes the images the tasks handed over (image_decode.hpp) and turns them into
// textures, since only the thread that owns the GL context may call GL. Decoding is the
// playground's work, not the program's: on the task threads it made each download look longer
// than its IO (the tutorial's program only writes the bytes to a file), so it happens here, a few
// milliseconds' worth per frame.
#pragma once

#include <imgui.h>
#include <deque>
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
    // Queue images for decoding; decode_some() makes them textures.
    void add(std::vector<DownloadedImage> images);
    // Decode and upload queued images for about `budget_s` seconds (at least one, if any).
    void decode_some(double budget_s);
    bool decoding() const { return !queued_.empty(); }
    void clear();
    const std::map<int, Texture>& textures() const { return textures_; } // by task id

private:
    std::deque<DownloadedImage> queued_;
    std::map<int, Texture> textures_;
};

} // namespace playground
