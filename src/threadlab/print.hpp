// threadlab/print.hpp - Python's print(), one whole line at a time.
//
// Threads that print with std::cout << a << b interleave mid-line; Python's print does not in
// practice. println() formats its arguments into one string and writes the line in one call, so
// lines from different threads never mix. Numbers print as Python prints them (1.0, 0.5, True).
// set_print_sink() sends the lines elsewhere (the playground's console).
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace threadlab {

// Python's repr of a float: the shortest text that reads back the same value ("1.0", "0.1", "1e+20").
std::string format_float(double value);

namespace detail {
template <class T> void append_value(std::string& out, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        out += value ? "True" : "False";
    } else if constexpr (std::is_floating_point_v<T>) {
        out += format_float(static_cast<double>(value));
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        out += std::string_view(value);
    } else if constexpr (std::is_same_v<T, char>) {
        out += value;
    } else if constexpr (std::is_arithmetic_v<T>) {
        out += std::to_string(value);
    } else {
        std::ostringstream stream;
        stream << value;
        out += stream.str();
    }
}
void write_line(std::string line);
} // namespace detail

// Concatenate the arguments (no separators: write them as an f-string reads) into one string.
template <class... Args> std::string str(const Args&... args) {
    std::string out;
    (detail::append_value(out, args), ...);
    return out;
}

// print(f"...") in Python: println("Sleeping ", seconds, " Second(s)...").
template <class... Args> void println(const Args&... args) {
    detail::write_line(str(args...));
}

// Where println's lines go: nullptr restores standard output. The sink gets each line without
// its newline and may be called from any thread at once; it must be thread-safe.
void set_print_sink(std::function<void(std::string_view line)> sink);

} // namespace threadlab
