// tasks/fetch.hpp - download a URL into memory, like requests.get(url).content.
//
// One interface, two implementations: libcurl natively (fetch_curl.cpp) and a synchronous
// XMLHttpRequest on the thread's Web Worker in the browser (fetch_emscripten.cpp). fetch() blocks the calling thread
// until the body is in memory or the download failed; in the browser it must be called from a
// pthread, never from the page's main thread. It never throws: failures come back with ok=false
// and a reason a learner can read ("HTTP 404 Not Found", "connection refused", ...).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace threadlab::tasks {

struct FetchOptions {
    double timeout_s = 10;                     // whole request; 0 = no limit
    std::size_t max_bytes = 32u << 20;         // larger bodies fail ("larger than N bytes")
    const std::atomic<bool>* cancel = nullptr; // set to true to abort (native only; see below)
};

struct FetchResult {
    bool ok = false;
    int http_status = 0;             // 0 when no HTTP response arrived
    std::vector<std::uint8_t> bytes; // the body (also for HTTP errors, when one was sent)
    std::string error;               // empty when ok
    // Seconds before the request went out: waiting for a free connection (a browser opens at most
    // 6 per host) and opening it; all of it when it never went out; 0 when not known (a browser
    // tells only servers that send Timing-Allow-Origin, as serve.py does).
    double connecting_s = 0;
};

FetchResult fetch(const std::string& url, const FetchOptions& options = {});

// Natively, URLs without a scheme ("/images/x.png") are resolved against this base URL
// (default http://127.0.0.1:8000, the address serve.py listens on). In the browser the page's
// own address is the base, as for any relative link.
void set_base_url(std::string base);
std::string base_url();
std::string resolve_url(const std::string& url);

// "Not Found" for 404: the standard reason phrase, or "" for codes without one.
const char* http_reason_phrase(int status);
// "HTTP 404 Not Found".
std::string describe_http_status(int status);
// Reasons both implementations give: "timed out after 2 s", "response larger than N bytes".
std::string describe_timeout(double timeout_s);
std::string describe_too_large(std::size_t max_bytes);

} // namespace threadlab::tasks
