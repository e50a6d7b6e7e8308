#include "thumbnail_cache.hpp"

#include <threadlab/timing.hpp>

#include "image_decode.hpp"

namespace playground {
namespace {
constexpr int kThumbnailSide = 96;
} // namespace

ThumbnailCache::~ThumbnailCache() { clear(); }

void ThumbnailCache::add(std::vector<DownloadedImage> images) {
    for (auto& image : images) queued_.push_back(std::move(image));
}

void ThumbnailCache::decode_some(double budget_s) {
    const double start = threadlab::perf_counter();
    while (!queued_.empty()) {
        const DownloadedImage image = std::move(queued_.front());
        queued_.pop_front();
        if (auto thumb = decode_thumbnail(image.bytes, kThumbnailSide)) { // not an image: no thumbnail
            Texture texture{0, thumb->width, thumb->height};
            glGenTextures(1, &texture.id);
            glBindTexture(GL_TEXTURE_2D, texture.id);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
            glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, thumb->width, thumb->height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                         thumb->rgba.data());
            auto& slot = textures_[image.task_id];
            if (slot.id) glDeleteTextures(1, &slot.id);
            slot = texture;
        }
        if (threadlab::perf_counter() - start >= budget_s) break;
    }
}

void ThumbnailCache::clear() {
    queued_.clear();
    for (auto& [id, texture] : textures_) glDeleteTextures(1, &texture.id);
    textures_.clear();
}

} // namespace playground
