// tasks/sleep_task.hpp - time.sleep(seconds) that the playground's Cancel button can cut short.
#pragma once

#include <atomic>

namespace threadlab::tasks {

// Sleeps `seconds` (threadlab::sleep semantics) unless `cancel` becomes true first.
// Returns true when the full time was slept, false when cancelled.
bool sleep_unless_cancelled(double seconds, const std::atomic<bool>* cancel);

} // namespace threadlab::tasks
