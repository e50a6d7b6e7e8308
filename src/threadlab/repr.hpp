// threadlab/repr.hpp - Python's repr() of Threadlab's objects, and printing them with <<.
#pragma once

#include <concepts>
#include <ostream>
#include <string>

namespace threadlab {

// Any Threadlab object with a repr() (locks, events, barriers, threads, futures) prints it:
// std::cout << lock prints <unlocked _thread.lock object at 0x7f...>, as print(lock) does.
template <class T>
    requires requires(const T& object) {
        { object.repr() } -> std::convertible_to<std::string>;
    }
std::ostream& operator<<(std::ostream& out, const T& object) {
    return out << object.repr();
}

namespace detail {
// An object's address as Python prints id() in a repr: "0x7f3a5c0d1e20".
std::string address_text(const void* object);
} // namespace detail

} // namespace threadlab
