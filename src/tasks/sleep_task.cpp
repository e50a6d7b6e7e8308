#include "tasks/sleep_task.hpp"

#include <algorithm>
#include <threadlab/threadlab.hpp>

namespace threadlab::tasks {

bool sleep_unless_cancelled(double seconds, const std::atomic<bool>* cancel) {
    if (!cancel) {
        threadlab::sleep(seconds);
        return true;
    }
    // Sleep in short slices so Cancel takes effect within ~20 ms; the deadline is fixed up front
    // so slicing adds no drift.
    const double deadline = threadlab::perf_counter() + seconds;
    for (;;) {
        if (cancel->load(std::memory_order_relaxed)) return false;
        const double left = deadline - threadlab::perf_counter();
        if (left <= 0) return true;
        threadlab::sleep(std::min(left, 0.02));
    }
}

} // namespace threadlab::tasks
