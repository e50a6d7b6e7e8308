#include "print.hpp"
#include "repr.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "platform.hpp"

namespace threadlab {
namespace {
detail::Mutex sink_mutex;
std::function<void(std::string_view)> sink;
} // namespace

namespace detail {
std::string address_text(const void* object) {
    char text[32];
    std::snprintf(text, sizeof text, "%#lx", static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(object)));
    return text;
}
} // namespace detail

std::string format_float(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    // Python's repr: the fewest significant digits that read back as the same double, written
    // in positional notation unless the exponent is below -4 or at least 16.
    char text[64];
    int digits = 1;
    for (; digits < 17; ++digits) {
        std::snprintf(text, sizeof text, "%.*e", digits - 1, value);
        if (std::strtod(text, nullptr) == value) break;
    }
    std::snprintf(text, sizeof text, "%.*e", digits - 1, value);
    int exponent = std::atoi(std::strchr(text, 'e') + 1);
    if (exponent < -4 || exponent >= 16) return text;
    int decimals = digits - 1 - exponent > 0 ? digits - 1 - exponent : 0;
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    std::string out = text;
    if (decimals == 0) out += ".0";
    return out;
}

namespace detail {
void write_line(std::string line) {
    std::lock_guard lock(sink_mutex);
    if (sink) {
        sink(line);
        return;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}
} // namespace detail

void set_print_sink(std::function<void(std::string_view line)> new_sink) {
    std::lock_guard lock(sink_mutex);
    sink = std::move(new_sink);
}

} // namespace threadlab
