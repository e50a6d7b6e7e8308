// threadlab/thread.hpp - Python's threading.Thread and the module functions around it.
//
// [SECTION] Thread           start, join(timeout), is_alive, name, ident, native_id, daemon
// [SECTION] Module functions current_thread, main_thread, enumerate, active_count, get_ident, ...
// [SECTION] excepthook       what happens to an exception that escapes a thread's target
// [SECTION] local<T>         threading.local: one T per thread per object
//
// Semantics are Python's, not std::thread's:
//  - A Thread is a handle, like a Python reference: copies refer to the same thread, and letting
//    every handle go out of scope neither joins nor terminates it (it runs on, as in Python).
//  - start() twice raises RuntimeError("threads can only be started once"), and so on for every
//    misuse Python reports.
//  - An exception escaping the target goes to excepthook, which prints
//    "Exception in thread NAME:" and the error; the process lives on.
//  - Non-daemon threads are joined when the program exits normally (after main returns).
//  - Default names are "Thread-N", "Thread-N (target)" with THREADLAB_TARGET(fn), and
//    "Thread-N (<lambda>)" for a lambda.
#pragma once

#include "errors.hpp"
#include "repr.hpp"
#include "timing.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

namespace threadlab {

// [SECTION] Thread ------------------------------------------------------------------------------

// Keyword arguments of threading.Thread: Thread{{.name = "any_name", .daemon = true}, fn, args...}
struct ThreadOptions {
    std::string name = {};           // empty: "Thread-N (target)"
    std::optional<bool> daemon = {}; // std::nullopt: inherit from the creating thread, like Python
};

// A callable with the name Python would show: THREADLAB_TARGET(do_something) makes threads
// named "Thread-N (do_something)", since C++ functions do not know their own names.
template <class F> struct NamedTarget {
    const char* name;
    F function;
    template <class... Args> decltype(auto) operator()(Args&&... args) {
        return std::invoke(function, std::forward<Args>(args)...);
    }
};
template <class F> NamedTarget(const char*, F) -> NamedTarget<F>;
#define THREADLAB_TARGET(function) ::threadlab::NamedTarget{#function, function}

namespace detail {
struct ThreadState;
struct ThreadAccess;

// A type-erased, move-only call of a target with its bound arguments.
struct Callable {
    virtual ~Callable() = default;
    virtual void operator()() = 0;
};
template <class F, class... Args> struct BoundCall final : Callable {
    explicit BoundCall(F f, Args... a) : function(std::move(f)), args(std::move(a)...) {}
    void operator()() override { std::apply(function, args); }
    F function;
    std::tuple<Args...> args;
};
template <class F, class... Args> std::unique_ptr<Callable> bind_call(F&& f, Args&&... args) {
    return std::make_unique<BoundCall<std::decay_t<F>, std::decay_t<Args>...>>(
        std::forward<F>(f), std::forward<Args>(args)...);
}

template <class T> struct is_named_target : std::false_type {};
template <class F> struct is_named_target<NamedTarget<F>> : std::true_type {};

// "<lambda>" for lambdas, "" for callables whose name C++ cannot know.
std::string callable_name(const std::type_info& type);
template <class F> std::string target_name(const F& target) {
    if constexpr (is_named_target<F>::value)
        return target.name;
    else {
        // Demangled once per type: it costs as much as starting a thread. Never destroyed, since
        // threads may still be made while the program exits.
        static const std::string* name = new std::string(callable_name(typeid(F)));
        return *name;
    }
}
} // namespace detail

class Thread {
public:
    // A thread with no target: starting it runs nothing (like threading.Thread()).
    Thread();

    // threading.Thread(target=f, args=[...]): arguments are copied, as Python keeps references.
    template <class F, class... Args>
        requires(!std::is_same_v<std::remove_cvref_t<F>, Thread> &&
                 !std::is_same_v<std::remove_cvref_t<F>, ThreadOptions> &&
                 std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>)
    explicit Thread(F&& target, Args&&... args)
        : Thread(ThreadOptions{}, std::forward<F>(target), std::forward<Args>(args)...) {}

    // threading.Thread(name=..., daemon=..., target=f, args=[...])
    template <class F, class... Args>
        requires std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>
    Thread(ThreadOptions options, F&& target, Args&&... args) {
        std::string target_label = detail::target_name(target);
        init(std::move(options), detail::bind_call(std::forward<F>(target), std::forward<Args>(args)...),
             std::move(target_label));
    }

    // Start the thread's activity; at most once (RuntimeError: "threads can only be started once").
    void start();
    // Wait until the thread ends, or `timeout` seconds pass; afterwards is_alive() tells which.
    // AssertionError("cannot join a dummy thread") for a Dummy-N thread, as Python 3.11.
    void join(Timeout timeout = std::nullopt) const;
    // True from start() until the target returns.
    bool is_alive() const;

    std::string name() const;
    void set_name(std::string name);
    // pthread_self() of the thread once started, std::nullopt before (Python's None).
    std::optional<unsigned long> ident() const;
    // The kernel's thread id once started, std::nullopt before.
    std::optional<long> native_id() const;
    bool daemon() const;
    // RuntimeError("cannot set daemon status of active thread") once started.
    void set_daemon(bool daemon);

    // Threadlab's own number for this thread, unique for the process's life (the event stream's thread id).
    std::uint32_t serial() const;

    // Same thread (Python's `is`).
    friend bool operator==(const Thread& a, const Thread& b) { return a.state_ == b.state_; }

    // The Python repr: <Thread(Thread-1 (f), started 140234)>
    std::string repr() const;

protected:
    // For Timer: a thread whose target is already bound and whose name has no "(target)".
    Thread(ThreadOptions options, std::unique_ptr<detail::Callable> call, std::string target_label) {
        init(std::move(options), std::move(call), std::move(target_label));
    }
    // For repr: the Python class a subclass stands for ("Timer").
    void set_class_name(const char* name);

private:
    friend struct detail::ThreadAccess;
    explicit Thread(std::shared_ptr<detail::ThreadState> state) : state_(std::move(state)) {}
    void init(ThreadOptions options, std::unique_ptr<detail::Callable> call, std::string target_label);

    std::shared_ptr<detail::ThreadState> state_;
};

// [SECTION] Module functions --------------------------------------------------------------------

// The Thread object of the caller. A thread that Threadlab did not start (std::thread, a browser
// worker) gets a "Dummy-N" daemon Thread, as in Python.
Thread current_thread();
// The thread that first used Threadlab: normally the one running main(), named "MainThread".
Thread main_thread();
// Every alive Thread: the main thread, started threads that have not ended, dummy threads.
std::vector<Thread> enumerate();
// enumerate().size()
std::size_t active_count();
// pthread_self() of the caller.
unsigned long get_ident();
// The kernel's id of the caller's thread.
long get_native_id();

// [SECTION] excepthook --------------------------------------------------------------------------

// What threading.excepthook receives.
struct ExceptHookArgs {
    std::exception_ptr exc_value;
    std::string exc_type;         // "ValueError", "std::runtime_error", ...
    std::optional<Thread> thread; // the thread the exception escaped from
};

// The default hook's report: "Exception in thread NAME:\nType: message\n", or "" for SystemExit
// (see exit_thread()). A C++ extension, for a hook that writes the same report elsewhere.
std::string format_thread_exception(const ExceptHookArgs& args);
// Writes format_thread_exception(args) to standard error (Python's default).
void default_excepthook(const ExceptHookArgs& args);

// threading.excepthook: assign a function to replace the handler (nullptr restores the default),
// call it like a function. Safe to assign while threads run.
class ExceptHook {
public:
    using Function = std::function<void(const ExceptHookArgs&)>;
    ExceptHook& operator=(Function hook);
    void operator()(const ExceptHookArgs& args) const;

private:
    mutable detail::Mutex mutex_;
    Function hook_;
};
extern ExceptHook excepthook;

// [SECTION] local<T> ----------------------------------------------------------------------------

namespace detail {
// What a thread holds of every local<T> it touched, so its values die with the thread.
struct LocalStoreBase {
    virtual ~LocalStoreBase() = default;
    virtual void forget(const void* thread_key) = 0;
};
const void* this_thread_key();
void remember_local_store(const std::shared_ptr<LocalStoreBase>& store);
} // namespace detail

// threading.local(): `local<Data> data; data->x = 10;` gives each thread its own Data. A thread's
// value is made on its first access (by the initializer, default T{}) and destroyed when the
// thread ends or the local object is destroyed, whichever comes first.
template <class T> class local {
public:
    local() : local([] { return T{}; }) {}
    explicit local(std::function<T()> initializer) : store_(std::make_shared<Store>()) {
        store_->initializer = std::move(initializer);
    }
    local(const local&) = delete;
    local& operator=(const local&) = delete;

    T& get() {
        const void* key = detail::this_thread_key();
        {
            std::lock_guard lock(store_->mutex);
            auto found = store_->values.find(key);
            if (found != store_->values.end()) return *found->second;
        }
        auto value = std::make_unique<T>(store_->initializer()); // outside the lock: may re-enter
        T& result = *value;
        {
            std::lock_guard lock(store_->mutex);
            store_->values.emplace(key, std::move(value));
        }
        detail::remember_local_store(store_);
        return result;
    }
    T& operator*() { return get(); }
    T* operator->() { return &get(); }

private:
    struct Store final : detail::LocalStoreBase {
        void forget(const void* thread_key) override {
            std::unique_ptr<T> dying;
            std::lock_guard lock(mutex);
            auto found = values.find(thread_key);
            if (found == values.end()) return;
            dying = std::move(found->second);
            values.erase(found);
        }
        detail::Mutex mutex;
        std::unordered_map<const void*, std::unique_ptr<T>> values;
        std::function<T()> initializer;
    };
    std::shared_ptr<Store> store_;
};

} // namespace threadlab
