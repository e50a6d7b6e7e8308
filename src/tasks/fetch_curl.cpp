// fetch() natively: one libcurl easy handle per call, so any number of threads can fetch at once.
#include <curl/curl.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "tasks/fetch.hpp"
#include "threadlab/events.hpp"

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
    const CURLcode code = curl_easy_perform(curl);
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
    io.end(result.ok);
    curl_easy_cleanup(curl);
    return result;
}

} // namespace threadlab::tasks
