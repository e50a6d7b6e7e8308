#include "timing.hpp"

#include "errors.hpp"
#include "events.hpp"

#include <cmath>

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#endif

namespace threadlab {

#ifdef __EMSCRIPTEN__
// Every thread is a Web Worker, and performance.now() counts from each Worker's own start;
// Emscripten corrects for that only as well as a message's latency (threads were milliseconds
// apart, enough to draw a task starting before the one it waited for had ended).
// timeOrigin + now() is the same clock in every Worker of the page.
EM_JS(double, shared_now_ms, (), { return performance.timeOrigin + performance.now(); });
#endif

double perf_counter() {
#if defined(__EMSCRIPTEN__) && !defined(THREADLAB_SIM)
    return shared_now_ms() / 1000.0;
#else
    return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
#endif
}

void sleep(double seconds) {
    detail::check_seconds(seconds, "sleep length is too large");
    if (seconds < 0) throw ValueError("sleep length must be non-negative");
    const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    if (seconds == 0 || !events::detail::observed()) return detail::sleep_for(duration);
    events::detail::WaitScope wait(events::ObjectKind::sleep, 0);
    detail::sleep_for(duration);
    wait.end(true);
}

namespace detail {
void check_seconds(double seconds, const char* too_large) {
    if (std::isnan(seconds)) throw ValueError("Invalid value NaN (not a number)");
    if (seconds > TIMEOUT_MAX) throw OverflowError(too_large);
}

std::optional<Clock::time_point> deadline_after(Timeout timeout) {
    if (!timeout) return std::nullopt;
    check_seconds(*timeout);
    double seconds = *timeout > 0 ? *timeout : 0.0;
    // Beyond ~290 years the duration overflows the clock: treat it as waiting forever.
    if (seconds > 9e9) return std::nullopt;
    return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

Timeout remaining(const std::optional<Clock::time_point>& deadline) {
    if (!deadline) return std::nullopt;
    double left = std::chrono::duration<double>(*deadline - Clock::now()).count();
    return left > 0 ? left : 0.0;
}
} // namespace detail

} // namespace threadlab
