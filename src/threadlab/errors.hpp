// threadlab/errors.hpp - Python's exception types, with Python's names and messages.
//
// Every exception Threadlab throws derives from threadlab::BaseException, which carries the Python
// type name (type_name()) so that excepthook and the playground print what Python prints:
// "RuntimeError: threads can only be started once". As in Python, SystemExit is not an Exception:
// `catch (const threadlab::Exception&)` does not stop a thread that exits quietly.
#pragma once

#include <exception>
#include <string>

namespace threadlab {

class BaseException : public std::exception {
public:
    explicit BaseException(std::string message = {}) : message_(std::move(message)) {}
    const char* what() const noexcept override { return message_.c_str(); }
    // Python's class name, as printed in tracebacks.
    virtual const char* type_name() const noexcept { return "BaseException"; }

private:
    std::string message_;
};

#define THREADLAB_EXCEPTION(NAME, BASE)                                                            \
    class NAME : public BASE {                                                                     \
    public:                                                                                        \
        using BASE::BASE;                                                                          \
        const char* type_name() const noexcept override { return #NAME; }                          \
    }

THREADLAB_EXCEPTION(Exception, BaseException);
// Python's SystemExit: a thread's target that throws it ends quietly (the default excepthook
// prints nothing), as `sys.exit()` does in a Python thread. See exit_thread().
THREADLAB_EXCEPTION(SystemExit, BaseException);
THREADLAB_EXCEPTION(RuntimeError, Exception);          // misuse: start twice, join before start, ...
THREADLAB_EXCEPTION(ValueError, Exception);            // a bad argument value (a NaN timeout, ...)
THREADLAB_EXCEPTION(OverflowError, Exception);         // a timeout or count beyond what can be represented
THREADLAB_EXCEPTION(OSError, Exception);               // a file could not be written: "[Errno 2] No such file ..."
THREADLAB_EXCEPTION(AssertionError, Exception);        // joining a dummy thread (Python 3.11 asserts)
THREADLAB_EXCEPTION(TimeoutError, Exception);          // Future.result / as_completed / map timed out
THREADLAB_EXCEPTION(Error, Exception);                 // concurrent.futures.Error: base of the two below
THREADLAB_EXCEPTION(CancelledError, Error);            // the future was cancelled
THREADLAB_EXCEPTION(InvalidStateError, Error);         // set_result on a finished future
THREADLAB_EXCEPTION(BrokenBarrierError, RuntimeError); // the Barrier is (or went) broken
THREADLAB_EXCEPTION(BrokenExecutor, RuntimeError);     // the executor can no longer run work
THREADLAB_EXCEPTION(BrokenThreadPool, BrokenExecutor); // a worker's initializer failed
// A C++ extension (Python has none): a wait that a DeadlockDetector with break_cycles ended
// because it was part of a deadlock; what() is the detector's report message. See deadlock.hpp.
THREADLAB_EXCEPTION(DeadlockError, RuntimeError);

#undef THREADLAB_EXCEPTION

// threading.ThreadError: in Python an alias of RuntimeError, and so here.
using ThreadError = RuntimeError;

// Python's _thread.exit() / sys.exit() inside a thread: throws SystemExit, which ends the calling
// thread's target without a report.
[[noreturn]] inline void exit_thread() { throw SystemExit(); }

// "TypeName: message" (or "TypeName" when the message is empty), as Python's last traceback line.
// Non-Threadlab exceptions are named by their demangled C++ type.
std::string describe_exception(const std::exception_ptr& error);
// The Python-style type name alone ("ValueError", "std::out_of_range", "unknown exception").
std::string exception_type_name(const std::exception_ptr& error);

} // namespace threadlab
