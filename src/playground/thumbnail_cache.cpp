#include "thumbnail_cache.hpp"

namespace playground {

ThumbnailCache::~ThumbnailCache() { clear(); }

void ThumbnailCache::upload(std::vector<Thumbnail> thumbnails) {
    for (auto& thumb : thumbnails) {
        Texture texture{0, thumb.width, thumb.height};
        glGenTextures(1, &texture.id);
        glBindTexture(GL_TEXTURE_2D, texture.id);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, thumb.width, thumb.height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                     thumb.rgba.data());
        auto& slot = textures_[thumb.task_id];
        if (slot.id) glDeleteTextures(1, &slot.id);
        slot = texture;
    }
}

void ThumbnailCache::clear() {
    for (auto& [id, texture] : textures_) glDeleteTextures(1, &texture.id);
    textures_.clear();
}

} // namespace playground
