// fetch() in the browser: a synchronous emscripten_fetch (a synchronous XMLHttpRequest inside
// the calling pthread's Web Worker). It blocks only its own thread, like requests.get.
//
// Limits of the browser: a synchronous XHR cannot have a timeout or be aborted, and a network
// failure (refused, reset, cut off) only reports status 0 - the browser does not say which.
#include <emscripten/emscripten.h>
#include <emscripten/fetch.h>
#include <emscripten/threading.h>

#include <cstring>
#include <string>

#include "tasks/fetch.hpp"

namespace threadlab::tasks {

FetchResult fetch(const std::string& url, const FetchOptions& options) {
    FetchResult result;
    if (url.empty() || url.find_first_of(" \t\r\n") != std::string::npos) {
        result.error = "invalid URL";
        return result;
    }
    if (emscripten_is_main_browser_thread()) {
        result.error = "fetch() called on the page's main thread (must run on a worker thread)";
        return result;
    }
    if (options.cancel && options.cancel->load()) {
        result.error = "cancelled";
        return result;
    }
    emscripten_fetch_attr_t attr;
    emscripten_fetch_attr_init(&attr);
    std::strcpy(attr.requestMethod, "GET");
    attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY | EMSCRIPTEN_FETCH_SYNCHRONOUS;
    attr.timeoutMSecs = static_cast<unsigned>(options.timeout_s * 1000); // ignored when synchronous

    emscripten_fetch_t* request = emscripten_fetch(&attr, url.c_str());
    if (!request) {
        result.error = "invalid URL";
        return result;
    }
    result.http_status = request->status;
    if (request->numBytes > 0 && request->data) {
        const auto* data = reinterpret_cast<const std::uint8_t*>(request->data);
        result.bytes.assign(data, data + request->numBytes);
    }
    if (request->status == 0) {
        result.error = "network error: connection refused, cut off or blocked (the browser does "
                       "not say which)";
    } else if (request->status >= 400) {
        result.error = describe_http_status(request->status);
    } else if (result.bytes.size() > options.max_bytes) {
        result.error = "response larger than " + std::to_string(options.max_bytes) + " bytes";
        result.bytes.clear();
    } else {
        result.ok = true;
    }
    emscripten_fetch_close(request);
    return result;
}

} // namespace threadlab::tasks
