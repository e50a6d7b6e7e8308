// Private to the library's .cpp files: how the pieces reach one another.
#pragma once

#include "timing.hpp"

#include <chrono>
#include <cstdint>
#include <thread>

namespace threadlab::detail {
// Threadlab's serial of the calling thread (a Dummy thread is made for foreign threads).
std::uint32_t current_thread_serial();
// True once normal program exit began joining threads (Python's interpreter shutdown).
bool interpreter_shutting_down();
// At exit, before non-daemon threads are joined: let every live pool's workers finish and leave.
void shutdown_executors_at_exit();

// Poll ready() for up to about `budget` before the caller goes to sleep: a futex sleep and
// wake-up costs several microseconds (more on a VM), longer than a trivial pool task takes.
template <class Ready> bool spin_until(Ready ready, std::chrono::microseconds budget = std::chrono::microseconds(20)) {
    const auto start = Clock::now();
    for (unsigned i = 0;; ++i) {
        if (ready()) return true;
        if (i % 16 == 15) {
            if (Clock::now() - start > budget) return false;
            std::this_thread::yield(); // let the thread we wait for run, on a machine with few cores
        }
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}
} // namespace threadlab::detail
