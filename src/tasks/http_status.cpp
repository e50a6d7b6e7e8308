#include "tasks/fetch.hpp"

namespace threadlab::tasks {

const char* http_reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 418: return "I'm a teapot";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
    }
}

std::string describe_http_status(int status) {
    std::string text = "HTTP " + std::to_string(status);
    const char* phrase = http_reason_phrase(status);
    if (*phrase) text += std::string(" ") + phrase;
    return text;
}

std::string describe_timeout(double timeout_s) {
    std::string seconds = std::to_string(timeout_s);
    seconds.erase(seconds.find_last_not_of('0') + 1);
    if (seconds.back() == '.') seconds.pop_back();
    return "timed out after " + seconds + " s";
}

std::string describe_too_large(std::size_t max_bytes) {
    return "response larger than " + std::to_string(max_bytes) + " bytes";
}

} // namespace threadlab::tasks
