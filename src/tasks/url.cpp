#include <mutex>

#include "tasks/fetch.hpp"

namespace threadlab::tasks {
namespace {
std::mutex base_mutex;
std::string base = "http://127.0.0.1:8000";
} // namespace

void set_base_url(std::string new_base) {
    while (!new_base.empty() && new_base.back() == '/') new_base.pop_back();
    std::lock_guard lock(base_mutex);
    base = std::move(new_base);
}

std::string base_url() {
    std::lock_guard lock(base_mutex);
    return base;
}

std::string resolve_url(const std::string& url) {
#ifdef __EMSCRIPTEN__
    return url; // the browser resolves relative URLs against the page
#else
    if (url.find("://") != std::string::npos) return url;
    if (url.empty()) return url;
    return base_url() + (url.front() == '/' ? "" : "/") + url;
#endif
}

} // namespace threadlab::tasks
