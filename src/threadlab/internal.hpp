// Private to the library's .cpp files: how the pieces reach one another.
#pragma once

#include <cstdint>

namespace threadlab::detail {
// Threadlab's serial of the calling thread (a Dummy thread is made for foreign threads).
std::uint32_t current_thread_serial();
// True once normal program exit began joining threads (Python's interpreter shutdown).
bool interpreter_shutting_down();
// At exit, before non-daemon threads are joined: let every live pool's workers finish and leave.
void shutdown_executors_at_exit();
} // namespace threadlab::detail
