// threadlab/errors.hpp - Python's exception types, with Python's names and messages.
//
// Every exception Threadlab throws derives from threadlab::Exception, which carries the Python
// type name (type_name()) so that excepthook and the playground print what Python prints:
// "RuntimeError: threads can only be started once".
#pragma once

#include <exception>
#include <string>

namespace threadlab {

class Exception : public std::exception {
public:
    explicit Exception(std::string message = {}) : message_(std::move(message)) {}
    const char* what() const noexcept override { return message_.c_str(); }
    // Python's class name, as printed in tracebacks.
    virtual const char* type_name() const noexcept { return "Exception"; }

private:
    std::string message_;
};

#define THREADLAB_EXCEPTION(NAME, BASE)                                                            \
    class NAME : public BASE {                                                                     \
    public:                                                                                        \
        using BASE::BASE;                                                                          \
        const char* type_name() const noexcept override { return #NAME; }                          \
    }

THREADLAB_EXCEPTION(RuntimeError, Exception);          // misuse: start twice, join before start, ...
THREADLAB_EXCEPTION(ValueError, Exception);            // a bad argument value
THREADLAB_EXCEPTION(TimeoutError, Exception);          // Future.result / as_completed / map timed out
THREADLAB_EXCEPTION(CancelledError, Exception);        // the future was cancelled
THREADLAB_EXCEPTION(InvalidStateError, Exception);     // set_result on a finished future
THREADLAB_EXCEPTION(BrokenBarrierError, RuntimeError); // the Barrier is (or went) broken
THREADLAB_EXCEPTION(BrokenExecutor, RuntimeError);     // the executor can no longer run work
THREADLAB_EXCEPTION(BrokenThreadPool, BrokenExecutor); // a worker's initializer failed

#undef THREADLAB_EXCEPTION

// "TypeName: message" (or "TypeName" when the message is empty), as Python's last traceback line.
// Non-Threadlab exceptions are named by their demangled C++ type.
std::string describe_exception(const std::exception_ptr& error);
// The Python-style type name alone ("ValueError", "std::out_of_range", "unknown exception").
std::string exception_type_name(const std::exception_ptr& error);

} // namespace threadlab
