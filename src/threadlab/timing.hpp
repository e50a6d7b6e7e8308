// threadlab/timing.hpp - Python's time.sleep and time.perf_counter, and timeouts in seconds.
#pragma once

#include "platform.hpp"

#include <chrono>
#include <optional>
#include <type_traits>

namespace threadlab {

// Seconds, as a float, like Python's time.perf_counter(): only differences are meaningful.
double perf_counter();

// Suspend the calling thread for `seconds`. ValueError for NaN or a negative value, OverflowError
// beyond TIMEOUT_MAX (inf too), as Python's time.sleep.
void sleep(double seconds);
// sleep(1) with `using namespace threadlab` would otherwise be ambiguous with POSIX ::sleep.
template <class Seconds>
    requires std::is_arithmetic_v<Seconds>
void sleep(Seconds seconds) {
    sleep(static_cast<double>(seconds));
}

// The largest timeout accepted (seconds), as threading.TIMEOUT_MAX.
inline constexpr double TIMEOUT_MAX = 9223372036.0;

// A timeout as Python spells it: std::nullopt is None (wait forever), otherwise seconds.
using Timeout = std::optional<double>;

namespace detail {
// Every call that takes seconds checks them here: NaN raises ValueError("Invalid value NaN (not a
// number)"), more than TIMEOUT_MAX (inf too) raises OverflowError(too_large).
void check_seconds(double seconds, const char* too_large = "timeout value is too large");
// The moment a timeout runs out; std::nullopt waits forever. Negative timeouts count as zero,
// as in Python's join/wait/result. Checks the timeout with check_seconds.
std::optional<Clock::time_point> deadline_after(Timeout timeout);
// Seconds left until `deadline` (never negative); std::nullopt when there is no deadline.
Timeout remaining(const std::optional<Clock::time_point>& deadline);
} // namespace detail

} // namespace threadlab
