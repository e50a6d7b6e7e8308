// threadlab/shared.hpp - shared<T>: a value several threads read and write without a lock, as
// Python code shares a global (a C++ extension: the lessons' race condition, made visible).
//
//   threadlab::shared<long> counter{0};
//   counter += 1;   // a read, then a write: two steps, as Python's counter += 1 is
//
// Every load() and store() is a relaxed atomic operation, so the C++ is well defined, and
// `counter += 1` is a load followed by a store: two threads that load the same value both store
// value + 1, and an update is lost, for real, on the os backend. On the sim backend every load and
// store is also a scheduling point (sim.hpp): the seed decides who runs between the read and the
// write, so a lost update happens, and can be replayed, even on one OS thread.
#pragma once

#include "platform.hpp"

#include <atomic>
#include <type_traits>

namespace threadlab {

template <class T> class shared {
    static_assert(std::is_trivially_copyable_v<T>, "shared<T> holds a value an atomic can hold");

public:
    constexpr shared() noexcept(std::is_nothrow_default_constructible_v<T>) : value_(T{}) {}
    constexpr explicit shared(T initial) noexcept : value_(initial) {}
    shared(const shared&) = delete;
    shared& operator=(const shared&) = delete;

    T load() const noexcept {
        detail::scheduling_point();
        return value_.load(std::memory_order_relaxed);
    }
    void store(T value) noexcept {
        detail::scheduling_point();
        value_.store(value, std::memory_order_relaxed);
    }
    operator T() const noexcept { return load(); }
    shared& operator=(T value) noexcept {
        store(value);
        return *this;
    }
    // Read, then write: not atomic, on purpose (use a Lock around them, as in Python).
    shared& operator+=(T delta) noexcept {
        store(static_cast<T>(load() + delta));
        return *this;
    }
    shared& operator-=(T delta) noexcept {
        store(static_cast<T>(load() - delta));
        return *this;
    }

private:
    std::atomic<T> value_;
};

} // namespace threadlab
