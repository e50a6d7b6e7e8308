// fetch() natively: one libcurl easy handle per call, so any number of threads can fetch at once.
// On simulated threads every Thread is a fiber of one OS thread, and a blocking transfer would
// stop them all: there each transfer joins one multi handle and its fiber waits
// (sim::ExternalWait) while the others run; the scheduler polls the transfers.
#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>

#include "tasks/fetch.hpp"
#include "threadlab/events.hpp"
#include "threadlab/sim.hpp"

namespace threadlab::tasks {
namespace {

struct Transfer {
    const FetchOptions* options;
    std::vector<std::uint8_t>* body;
    bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t n = size * count;
    if (transfer->body->size() + n > transfer->options->max_bytes) {
        transfer->too_large = true;
        return 0; // aborts the transfer with CURLE_WRITE_ERROR
    }
    transfer->body->insert(transfer->body->end(), data, data + n);
    return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* transfer = static_cast<Transfer*>(user);
    const auto* cancel = transfer->options->cancel;
    return cancel && cancel->load(std::memory_order_relaxed) ? 1 : 0; // nonzero aborts
}

std::string describe_curl_error(CURLcode code, CURL* curl, const Transfer& transfer,
                                const FetchOptions& options, const char* detail) {
    const size_t received = transfer.body->size();
    switch (code) {
    case CURLE_COULDNT_CONNECT: {
        long os_error = 0;
        curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_error);
        if (os_error == ECONNREFUSED) return "connection refused";
        if (os_error != 0) return std::string("could not connect: ") + std::strerror(static_cast<int>(os_error));
        return std::string("could not connect (") + detail + ")";
    }
    case CURLE_COULDNT_RESOLVE_HOST: return "could not resolve host";
    case CURLE_OPERATION_TIMEDOUT:
        return describe_timeout(options.timeout_s) + " (" + std::to_string(received) + " bytes received)";
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return "invalid URL";
    case CURLE_ABORTED_BY_CALLBACK: return "cancelled";
    case CURLE_WRITE_ERROR:
        if (transfer.too_large)
            return describe_too_large(options.max_bytes);
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING: {
        curl_off_t expected = -1;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
        if (expected > 0)
            return "connection closed after " + std::to_string(received) + " of " +
                   std::to_string(expected) + " bytes";
        return "connection closed after " + std::to_string(received) + " bytes";
    }
    default: break;
    }
    return *detail ? detail : curl_easy_strerror(code);
}

#ifdef THREADLAB_SIM
struct Parked {
    sim::ExternalWait wait;
    CURLcode code = CURLE_OK;
};

CURLM* transfers();

// The scheduler's poller (sim::set_external_poller): move every transfer on, wait for the next
// activity at most `timeout` (never more than 100 ms, so a deadline is not missed by much), and
// wake the fibers whose transfers ended.
void poll_transfers(std::optional<std::chrono::nanoseconds> timeout) {
    CURLM* multi = transfers();
    int running = 0;
    curl_multi_perform(multi, &running);
    const double ms = timeout ? std::chrono::duration<double, std::milli>(*timeout).count() : 100.0;
    if (running > 0 && ms > 0) {
        curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::ceil(std::min(ms, 100.0))), nullptr);
        curl_multi_perform(multi, &running);
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        Parked* parked = nullptr;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &parked);
        parked->code = message->data.result;
        parked->wait.done();
    }
}

CURLM* transfers() {
    static CURLM* multi = [] {
        sim::set_external_poller(poll_transfers);
        return curl_multi_init();
    }();
    return multi;
}

CURLcode perform(CURL* curl) {
    Parked parked;
    curl_easy_setopt(curl, CURLOPT_PRIVATE, &parked);
    if (curl_multi_add_handle(transfers(), curl) != CURLM_OK) return CURLE_FAILED_INIT;
    struct Leave { // the transfer leaves the multi handle before `parked` goes, even on an error
        CURL* curl;
        ~Leave() { curl_multi_remove_handle(transfers(), curl); }
    } leave{curl};
    parked.wait.wait();
    return parked.code;
}
#else
CURLcode perform(CURL* curl) { return curl_easy_perform(curl); }
#endif

} // namespace

FetchResult fetch(const std::string& url, const FetchOptions& options) {
    static std::once_flag init_once;
    std::call_once(init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

    FetchResult result;
    const std::string resolved = resolve_url(url);
    if (resolved.rfind("http://", 0) != 0 && resolved.rfind("https://", 0) != 0) {
        result.error = "invalid URL";
        return result;
    }
    CURL* curl = curl_easy_init();
    if (!curl) {
        result.error = "could not start a download (curl_easy_init failed)";
        return result;
    }
    Transfer transfer{&options, &result.bytes};
    char detail[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, resolved.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // required when many threads use curl
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "threadlab-playground");
    if (options.timeout_s > 0)
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_s * 1000));

    events::Io io(resolved); // the download is this thread's wait, for the event stream
    const CURLcode code = perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    result.http_status = static_cast<int>(status);
    if (code != CURLE_OK) {
        result.error = describe_curl_error(code, curl, transfer, options, detail);
    } else if (status >= 400) {
        result.error = describe_http_status(static_cast<int>(status));
    } else {
        result.ok = true;
    }
    curl_off_t pretransfer_us = 0, total_us = 0;
    curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
    result.connecting_s = static_cast<double>(pretransfer_us > 0 ? pretransfer_us : total_us) / 1e6;
    io.end(result.ok, result.connecting_s);
    curl_easy_cleanup(curl);
    return result;
}

} // namespace threadlab::tasks
