// fetch() in the browser: a synchronous XMLHttpRequest made by the calling pthread's own Web
// Worker. It blocks only its own thread, like requests.get.
//
// Why not emscripten_fetch: for synchronous requests it never sets xhr.timeout (the XHR spec
// forbids a timeout on a synchronous request in a Window), so a server that stalls blocks the
// thread until the server gives up. In a dedicated worker - where every pthread runs - the spec
// allows it, and Chromium honours it: send() throws a TimeoutError. So the request is made here,
// in a few lines of JS on the task's thread.
//
// Limits of the browser:
// - A synchronous XHR gives no progress events and cannot be aborted by another thread: the size
//   cap is checked once the whole body has arrived (in the Worker's JS memory; it is copied into
//   the wasm heap only when it fits), and Cancel cannot stop a download already under way.
// - A network failure (refused, reset, cut off) is one NetworkError: the browser does not say
//   which, nor how many bytes had arrived before a timeout.
//
// On the sim backend every thread is a fiber of the page's main thread, which must not block: the
// request is asynchronous there, and the fiber waits for it (threadlab::sim::ExternalWait) while
// the others, and the page, go on.
#include <emscripten/emscripten.h>
#include <emscripten/threading.h>

#include <atomic>
#include <string>

#include "tasks/fetch.hpp"
#include "threadlab/events.hpp"
#include "threadlab/sim.hpp"

namespace threadlab::tasks {
namespace {

// What js_xhr_get returns when no HTTP status arrived (HTTP statuses are positive).
enum XhrFailure {
    kInvalidUrl = -1,
    kTimedOut = -2,
    kNetworkError = -3,
    kTooLarge = -4,
    kOtherError = -5, // the exception went to the console
};

// [JS] One GET on this Worker. Returns the HTTP status (the body is kept in the Worker, its size
// written to *body_size) or an XhrFailure. One pthread runs per Worker at a time and the request
// is synchronous, so a Worker-global slot for the body is never shared.
//
// A browser opens at most 6 connections to one host (Firefox's limit made 15 parallel downloads
// from serve.py arrive in three waves). So a download from the page's own server on loopback (the
// simulated internet of serve.py, which any origin may read) goes to one of 8 names of that
// server, dl0.localhost ... dl7.localhost (loopback in every browser), in turn: `spread` counts
// downloads. Should a browser not resolve them, the first failure finds out (serve.py's
// /healthz on the same name), and this Worker asks the page's own host from then on.
EM_JS(int, js_xhr_get, (const char* url_utf8, double timeout_ms, double max_bytes, double* body_size, int spread,
                       double* connecting_ms), {
    self.threadlabXhrBody = null;
    HEAPF64[body_size >> 3] = 0;
    HEAPF64[connecting_ms >> 3] = 0;
    var target = threadlabDownloadTarget(UTF8ToString(url_utf8), spread);
    if (!target) return -1;
    var url = target.url, alias = target.alias, page = self.location;
    var get = function(href) {
        var xhr = new XMLHttpRequest();
        xhr.open('GET', href, false);
        xhr.responseType = 'arraybuffer';
        xhr.timeout = timeout_ms; // allowed for synchronous requests in a Worker, not in a Window
        xhr.send();
        HEAPF64[connecting_ms >> 3] = threadlabConnectingMs(href);
        return xhr;
    };
    var xhr;
    try {
        try {
            xhr = get(alias ? alias + url.pathname + url.search : url.href);
        } catch (e) {
            if (!alias || !e || e.name !== 'NetworkError') throw e;
            var reachable = false;
            try { reachable = get(alias + '/healthz').status === 200; } catch (ignored) {}
            if (reachable) throw e; // the download itself failed (cut off, refused): say so
            self.threadlabSpread = false;
            console.warn('threadlab fetch: ' + alias + ' is not reachable here; downloads use ' + page.host);
            xhr = get(url.href);
        }
    } catch (e) {
        if (e && e.name === 'TimeoutError') return -2;
        if (e && e.name === 'NetworkError') return -3;
        if (e && e.name === 'SyntaxError') return -1;
        console.warn('threadlab fetch ' + url.href + ': ' + e);
        return -5;
    }
    var body = xhr.response ? new Uint8Array(xhr.response) : new Uint8Array(0);
    HEAPF64[body_size >> 3] = body.length;
    if (body.length > max_bytes) {
        if (xhr.status >= 200 && xhr.status < 400) return -4;
        body = new Uint8Array(0); // an oversized error page: the status says enough
        HEAPF64[body_size >> 3] = 0;
    }
    self.threadlabXhrBody = body;
    return xhr.status;
});

// [JS] Copies the body js_xhr_get kept into dest (as many bytes as it said) and lets it go.
EM_JS(void, js_xhr_take_body, (std::uint8_t* dest), {
    var body = self.threadlabXhrBody;
    self.threadlabXhrBody = null;
    if (body) HEAPU8.set(body, dest);
});

#ifdef THREADLAB_SIM
// [JS] One asynchronous GET from the page's main thread, for sim: the same statuses, body limit and
// host names as js_xhr_get. When it ends, its status and body size go into Module.threadlabDone
// under `wait`, its body into self.threadlabXhrBody once taken (js_xhr_finished), and
// threadlab_fetch_done(wait) wakes the waiting thread.
EM_JS(void, js_xhr_start, (const char* url_utf8, double timeout_ms, double max_bytes, int spread, void* wait), {
    Module.threadlabDone = Module.threadlabDone || new Map();
    var finish = function(status, body, size, connecting) {
        Module.threadlabDone.set(wait, {status: status, body: body || new Uint8Array(0), size: size || 0,
                                        connecting: connecting || 0});
        _threadlab_fetch_done(wait);
        if (Module.threadlabWakeThreads) Module.threadlabWakeThreads(); // the page's host: run it now
    };
    var target = threadlabDownloadTarget(UTF8ToString(url_utf8), spread);
    if (!target) return finish(-1);
    var url = target.url, alias = target.alias, page = self.location;
    var send = function(href, fallback) {
        var xhr = new XMLHttpRequest();
        xhr.open('GET', href, true);
        xhr.responseType = 'arraybuffer';
        xhr.timeout = timeout_ms;
        xhr.ontimeout = function() { finish(-2); };
        xhr.onerror = function() {
            if (!fallback) return finish(-3);
            self.threadlabSpread = false; // the other host names do not resolve here
            console.warn('threadlab fetch: ' + alias + ' is not reachable here; downloads use ' + page.host);
            send(fallback, null);
        };
        xhr.onload = function() {
            var body = xhr.response ? new Uint8Array(xhr.response) : new Uint8Array(0);
            var connecting = threadlabConnectingMs(href);
            if (body.length > max_bytes) {
                if (xhr.status >= 200 && xhr.status < 400) return finish(-4, null, body.length, connecting);
                body = null; // an oversized error page: the status says enough
            }
            finish(xhr.status, body, body ? body.length : 0, connecting);
        };
        try {
            xhr.send();
        } catch (e) {
            console.warn('threadlab fetch ' + href + ': ' + e);
            finish(-5);
        }
    };
    send(alias ? alias + url.pathname + url.search : url.href, alias ? url.href : null);
});

// [JS] The status of the GET that woke `wait`; its body is then js_xhr_take_body's to take.
EM_JS(int, js_xhr_finished, (void* wait, double* body_size, double* connecting_ms), {
    var done = Module.threadlabDone.get(wait);
    Module.threadlabDone.delete(wait);
    self.threadlabXhrBody = done.body;
    HEAPF64[body_size >> 3] = done.size;
    HEAPF64[connecting_ms >> 3] = done.connecting;
    return done.status;
});
#endif

// One GET, blocking the calling thread: its status (or an XhrFailure), the body kept for
// js_xhr_take_body, its size in *body_size, the time before its request went out in *connecting_ms.
int get(const std::string& url, double timeout_ms, double max_bytes, double* body_size, int spread, double* connecting_ms) {
#ifdef THREADLAB_SIM
    threadlab::sim::ExternalWait wait;
    js_xhr_start(url.c_str(), timeout_ms, max_bytes, spread, &wait);
    wait.wait();
    return js_xhr_finished(&wait, body_size, connecting_ms);
#else
    return js_xhr_get(url.c_str(), timeout_ms, max_bytes, body_size, spread, connecting_ms);
#endif
}

} // namespace

FetchResult fetch(const std::string& url, const FetchOptions& options) {
    FetchResult result;
    if (url.empty() || url.find_first_of(" \t\r\n") != std::string::npos) {
        result.error = "invalid URL";
        return result;
    }
    if (!threadlab::detail::simulated && emscripten_is_main_browser_thread()) {
        result.error = "fetch() called on the page's main thread (must run on a worker thread)";
        return result;
    }
    if (options.cancel && options.cancel->load()) {
        result.error = "cancelled";
        return result;
    }
    double body_size = 0, connecting_ms = 0;
    const double timeout_ms = options.timeout_s > 0 ? options.timeout_s * 1000 : 0; // 0 = no limit
    events::Io io(url); // the download is this thread's wait, for the event stream
    static std::atomic<unsigned> downloads{0}; // round robin over the host names (js_xhr_get)
    const int status = get(url, timeout_ms, static_cast<double>(options.max_bytes), &body_size,
                           static_cast<int>(downloads.fetch_add(1, std::memory_order_relaxed) % 8), &connecting_ms);
    result.connecting_s = connecting_ms / 1000;
    io.end(status >= 200 && status < 400, result.connecting_s);
    switch (status) {
    case kInvalidUrl: result.error = "invalid URL"; return result;
    case kTimedOut: result.error = describe_timeout(options.timeout_s); return result;
    case kNetworkError:
        result.error = "network error: connection refused, cut off or blocked (the browser does not say which)";
        return result;
    case kTooLarge:
        // Checked after the body arrived: a synchronous XHR reports nothing while it downloads.
        result.error = describe_too_large(options.max_bytes) + " (got " +
                       std::to_string(static_cast<std::size_t>(body_size)) + ")";
        return result;
    case kOtherError: result.error = "the browser refused the request (see the console)"; return result;
    default: break;
    }
    result.http_status = status;
    result.bytes.resize(static_cast<std::size_t>(body_size));
    js_xhr_take_body(result.bytes.data());
    if (status == 0) {
        result.error = "network error: no HTTP status (the browser does not say why)";
    } else if (status >= 400) {
        result.error = describe_http_status(status);
    } else {
        result.ok = true;
    }
    return result;
}

} // namespace threadlab::tasks

#ifdef THREADLAB_SIM
// Called by js_xhr_start's request when it ends: wakes the thread waiting for it.
extern "C" EMSCRIPTEN_KEEPALIVE void threadlab_fetch_done(void* wait) {
    static_cast<threadlab::sim::ExternalWait*>(wait)->done();
}
#endif
