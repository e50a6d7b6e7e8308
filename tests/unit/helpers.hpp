// Shared by the test files: timing bounds, Python-style error checks, stderr capture.
#pragma once

#include <doctest/doctest.h>
#include <threadlab/threadlab.hpp>

#include <atomic>
#include <cstdio>
#include <fcntl.h>
#include <regex>
#include <string>
#include <unistd.h>
#include <vector>

namespace tl = threadlab;

// Show vectors in failure messages ({1, 2, 3}) instead of {?}.
namespace doctest {
template <class T> struct StringMaker<std::vector<T>> {
    static String convert(const std::vector<T>& values) {
        String out = "{";
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i) out += ", ";
            out += toString(values[i]);
        }
        return out + "}";
    }
};
} // namespace doctest

namespace testing {

// Seconds since construction.
struct Stopwatch {
    double start = tl::perf_counter();
    double elapsed() const { return tl::perf_counter() - start; }
};

// "Type: message" of what `f` raised, as Python's last traceback line; the exact Python type name
// (type_name()), not a base class. "nothing raised" when it returned.
template <class F> std::string raised(F&& f) {
    try {
        f();
    } catch (...) {
        return tl::describe_exception(std::current_exception());
    }
    return "nothing raised";
}

// A Thread running `f`, started.
template <class F> tl::Thread started(F f) {
    tl::Thread thread(std::move(f));
    thread.start();
    return thread;
}

// Poll `pred` until it holds or `seconds` pass: only for state no event announces (a Barrier's
// n_waiting, a future becoming running inside a library worker).
template <class P> bool eventually(P pred, double seconds = 10) {
    Stopwatch watch;
    while (!pred()) {
        if (watch.elapsed() > seconds) return false;
        tl::sleep(0.001);
    }
    return true;
}

inline bool matches(const std::string& text, const char* pattern) {
    return std::regex_match(text, std::regex(pattern));
}

// Everything written to a file descriptor (2: stderr, 1: stdout) while alive. Natively only:
// under Emscripten, fds 1 and 2 are JS streams that dup2 does not redirect, so there text() is
// empty and tests check the text only when CaptureFd::available (the wasm exit-helper test
// checks default_excepthook's text on the real stderr instead).
class CaptureFd {
public:
#ifdef __EMSCRIPTEN__
    static constexpr bool available = false;
#else
    static constexpr bool available = true;
#endif

    explicit CaptureFd(int fd) : fd_(fd) {
        std::fflush(fd == 1 ? stdout : stderr);
        char name[] = "/tmp/threadlab-capture-XXXXXX";
        file_ = ::mkstemp(name);
        REQUIRE(file_ >= 0);
        ::unlink(name);
        saved_ = ::dup(fd_);
        REQUIRE(saved_ >= 0);
        REQUIRE(::dup2(file_, fd_) >= 0);
    }
    CaptureFd(const CaptureFd&) = delete;
    CaptureFd& operator=(const CaptureFd&) = delete;
    ~CaptureFd() { restore(); }

    // Stop capturing and return the text.
    std::string text() {
        restore();
        std::string out;
        char buffer[4096];
        ::lseek(file_, 0, SEEK_SET);
        for (ssize_t n; (n = ::read(file_, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<size_t>(n));
        return out;
    }

private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(fd_ == 1 ? stdout : stderr);
        ::dup2(saved_, fd_);
        ::close(saved_);
        saved_ = -1;
    }
    int fd_;
    int file_ = -1;
    int saved_ = -1;
};

// A result of 4 MB that counts how many exist, to see who keeps results alive.
struct BigResult {
    static inline std::atomic<int> alive{0};
    std::vector<char> bytes = std::vector<char>(4 << 20, 'x');
    BigResult() { ++alive; }
    BigResult(const BigResult& other) : bytes(other.bytes) { ++alive; }
    BigResult(BigResult&& other) noexcept : bytes(std::move(other.bytes)) { ++alive; }
    ~BigResult() { --alive; }
};

// While alive, the n-th allocation (0: the next) by operator new on this thread throws
// std::bad_alloc; allocations on other threads are untouched. alloc_faults.cpp replaces the
// global operator new and delete for the test binary to do this.
class FailAllocation {
public:
    explicit FailAllocation(int n);
    ~FailAllocation();
    FailAllocation(const FailAllocation&) = delete;
    FailAllocation& operator=(const FailAllocation&) = delete;
};

} // namespace testing

using testing::BigResult;
using testing::CaptureFd;
using testing::eventually;
using testing::matches;
using testing::raised;
using testing::Stopwatch;

// A timeout of 0.2 s must take at least 0.19 s and (noisy machines, sanitizers, wasm) under 2 s.
#define CHECK_TOOK_ABOUT(watch, seconds)                                                           \
    do {                                                                                           \
        double took_ = (watch).elapsed();                                                          \
        CHECK(took_ >= (seconds) - 0.01);                                                          \
        CHECK(took_ < (seconds) + 1.8);                                                            \
    } while (0)
