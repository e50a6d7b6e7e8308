// Thread lifecycle, the registry behind enumerate(), excepthook and local<T>'s per-thread storage.
//
// [SECTION] ThreadState and the registry
// [SECTION] Thread
// [SECTION] Module functions
// [SECTION] excepthook
// [SECTION] local<T> support
// [SECTION] Timer
#include "thread.hpp"

#include "internal.hpp"
#include "print.hpp"
#include "timer.hpp"
#include "events.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <map>
#include <pthread.h>
#include <thread>
#include <unistd.h>

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/syscall.h>
#endif

namespace threadlab {

// [SECTION] ThreadState and the registry --------------------------------------------------------

namespace detail {
struct ThreadAccess {
    static Thread make(std::shared_ptr<ThreadState> state) { return Thread(std::move(state)); }
};

// Shared between every Thread handle, the registry and the running thread itself.
struct ThreadState {
    enum class Phase { initial, running, stopped };

    detail::Mutex mutex;
    detail::CondVar changed;
    Phase phase = Phase::initial;
    std::string name;
    bool daemon = false;
    bool is_dummy = false; // a thread Threadlab did not start (Python's _DummyThread)
    const char* class_name = "Thread"; // for repr: "Timer" for a Timer
    std::uint32_t serial = 0;
    std::optional<unsigned long> ident;
    std::optional<long> native_id;
    std::unique_ptr<Callable> target;

    // The OS thread, joined by the first join() that sees the thread stopped: its stack then
    // goes back to the C library's cache before the next thread starts, as with std::thread.
    detail::Mutex os_mutex;
    detail::OsThread os_thread;
    ~ThreadState() {
        if (os_thread.joinable()) os_thread.detach(); // never joined: let it clean up after itself
    }
};
} // namespace detail

namespace {
using detail::ThreadState;
using Phase = ThreadState::Phase;

std::atomic<std::uint32_t> next_serial{1};
std::atomic<long> name_counter{1}; // Python's _counter: shared by Thread-N and Dummy-N

THREADLAB_PER_THREAD(std::shared_ptr<ThreadState>, this_thread_state)
// The serial of this_thread_state(), kept after the thread's end (thread-local destructors that
// release locks still emit events on it): events ask for it without touching a shared_ptr.
THREADLAB_PER_THREAD(std::uint32_t, this_thread_serial)

void become(const std::shared_ptr<ThreadState>& state) {
    this_thread_state() = state;
    this_thread_serial() = state->serial;
    detail::set_thread_label(state->name);
}

// thread_created, thread_named (and thread_started for threads that already run: main, dummies).
void announce_thread(const ThreadState& state, std::uint32_t on_thread, bool running) {
    if (!events::detail::observed()) return;
    using events::Kind;
    events::Event event;
    event.object_kind = events::ObjectKind::thread;
    event.object = state.serial;
    event.thread = on_thread;
    event.name = state.name;
    for (Kind kind : {Kind::thread_created, Kind::thread_named, Kind::thread_started}) {
        if (kind == Kind::thread_started && !running) break;
        event.kind = kind;
        if (kind == Kind::thread_started) event.thread = state.serial;
        events::detail::emit(event);
    }
}

void emit_thread_event(events::Kind kind, std::uint32_t serial, bool ok = true, std::int64_t count = 0) {
    if (!events::detail::observed()) return;
    events::Event event;
    event.kind = kind;
    event.count = count;
    event.object_kind = events::ObjectKind::thread;
    event.object = serial;
    event.thread = serial;
    event.ok = ok;
    events::detail::emit(event);
}

long current_native_id() {
#ifdef THREADLAB_SIM
    return static_cast<long>(detail::this_ident()); // every fiber shares the one OS thread's id
#elif defined(__linux__) && !defined(__EMSCRIPTEN__)
    return static_cast<long>(::syscall(SYS_gettid));
#else
    return static_cast<long>(reinterpret_cast<std::uintptr_t>(pthread_self()));
#endif
}

unsigned long current_ident() { return detail::this_ident(); }

void join_non_daemon_threads_at_exit();

// Every alive thread by serial, and the main thread. Never destroyed: daemon threads may still
// run while the process exits.
struct Registry {
    detail::Mutex mutex;
    std::map<std::uint32_t, std::shared_ptr<ThreadState>> alive;
    std::shared_ptr<ThreadState> main;
    std::atomic<bool> shutting_down{false};

    Registry() {
        main = std::make_shared<ThreadState>();
        main->name = "MainThread";
        main->serial = next_serial++;
        main->phase = Phase::running;
        main->ident = current_ident();
        main->native_id = current_native_id();
        alive.emplace(main->serial, main);
        become(main);
        announce_thread(*main, main->serial, true);
        std::atexit(join_non_daemon_threads_at_exit);
    }
};

Registry& registry() {
    static Registry* r = new Registry; // the first thread to use Threadlab becomes MainThread
    return *r;
}

// Python removes a _DummyThread when its OS thread ends.
struct DummyCleanup {
    std::uint32_t serial = 0;
    ~DummyCleanup() {
        if (serial == 0) return;
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        r.alive.erase(serial);
    }
};
THREADLAB_PER_THREAD(DummyCleanup, dummy_cleanup)

std::shared_ptr<ThreadState> current_state() {
    Registry& r = registry(); // may set this_thread_state() (to MainThread)
    if (this_thread_state()) return this_thread_state();
    auto dummy = std::make_shared<ThreadState>();
    dummy->name = "Dummy-" + std::to_string(name_counter++);
    dummy->daemon = true;
    dummy->is_dummy = true;
    dummy->phase = Phase::running;
    dummy->serial = next_serial++;
    dummy->ident = current_ident();
    dummy->native_id = current_native_id();
    {
        std::lock_guard lock(r.mutex);
        r.alive.emplace(dummy->serial, dummy);
    }
    become(dummy);
    dummy_cleanup().serial = dummy->serial;
    announce_thread(*dummy, dummy->serial, true);
    return dummy;
}

void wait_until_stopped(ThreadState& state, Timeout timeout) {
#ifdef THREADLAB_SIM
    detail::sim::WaitNote note(state.ident.value_or(0));
#endif
    if (!timeout && !detail::interrupts_possible()) {
        // Waiting without a timeout: joining the OS thread is the whole wait (run_thread marks the
        // thread stopped just before it returns), one wake-up instead of two - the condition
        // variable, then the join - which made start + join twice as slow as std::thread's.
        std::lock_guard lock(state.os_mutex);
        if (state.os_thread.joinable() && state.os_thread.get_id() != detail::this_thread_id()) state.os_thread.join();
    }
    auto deadline = detail::deadline_after(timeout);
    {
        // A deadlock detector that breaks cycles may end a join with DeadlockError.
        detail::InterruptibleWait interruptible(state.changed, state.mutex);
        std::unique_lock lock(state.mutex);
        auto stopped = [&] { return state.phase == Phase::stopped; };
        auto woken = [&] { return stopped() || interruptible.interrupted(); };
        if (deadline)
            state.changed.wait_until(lock, *deadline, woken);
        else
            state.changed.wait(lock, woken);
        interruptible.throw_if_interrupted(); // even if the other thread just ended: it was in the cycle
        if (!stopped()) return;
    }
    // Its target has returned; what is left of the OS thread is its exit, a few microseconds.
    std::lock_guard lock(state.os_mutex);
    if (state.os_thread.joinable() && state.os_thread.get_id() != detail::this_thread_id()) state.os_thread.join();
}

// Python's threading._shutdown: at normal exit, wait for every non-daemon thread.
void join_non_daemon_threads_at_exit() {
    detail::NoInterrupts not_at_exit;
    Registry& r = registry();
    r.shutting_down = true;
    detail::shutdown_executors_at_exit();
    for (;;) {
        std::shared_ptr<ThreadState> next;
        {
            std::lock_guard lock(r.mutex);
            for (auto& [serial, state] : r.alive)
                if (!state->daemon && state != r.main && state != this_thread_state()) {
                    next = state;
                    break;
                }
        }
        if (!next) return;
        wait_until_stopped(*next, std::nullopt);
        std::lock_guard lock(r.mutex);
        r.alive.erase(next->serial); // it may not have removed itself yet
    }
}

void run_thread(std::shared_ptr<ThreadState> state) {
    become(state);
    {
        // start() sets ident too, once the OS thread exists; whichever comes first, the thread
        // sees its own ident from its first instruction.
        std::lock_guard lock(state->mutex);
        state->ident = current_ident();
        state->native_id = current_native_id();
    }
    state->changed.notify_all();
    emit_thread_event(events::Kind::thread_started, state->serial, true, /*runs its target=*/1);
    bool failed = false;
    if (state->target) {
        try {
            (*state->target)();
        } catch (...) {
            failed = true;
            ExceptHookArgs args{std::current_exception(), exception_type_name(std::current_exception()), detail::ThreadAccess::make(state)};
            try {
                excepthook(args);
            } catch (...) {
                std::string text = "Exception in threading.excepthook:\n" + describe_exception(std::current_exception()) + "\n";
                std::fputs(text.c_str(), stderr);
            }
        }
        state->target.reset(); // Python drops the target and its arguments when run() ends
    }
    // Before the thread counts as stopped: a join that returns comes after this in the stream.
    emit_thread_event(events::Kind::thread_finished, state->serial, !failed);
    {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        r.alive.erase(state->serial);
    }
    {
        std::lock_guard lock(state->mutex);
        state->phase = Phase::stopped;
    }
    state->changed.notify_all();
    this_thread_state().reset();
}
} // namespace

// [SECTION] Thread ------------------------------------------------------------------------------

Thread::Thread() { init(ThreadOptions{}, nullptr, ""); }

void Thread::init(ThreadOptions options, std::unique_ptr<detail::Callable> call, std::string target_label) {
    auto creator = current_state();
    state_ = std::make_shared<ThreadState>();
    state_->serial = next_serial++;
    if (options.name.empty()) {
        options.name = "Thread-" + std::to_string(name_counter++);
        if (!target_label.empty()) options.name += " (" + target_label + ")";
    }
    state_->name = std::move(options.name);
    state_->daemon = options.daemon.value_or(creator->daemon);
    state_->target = std::move(call);
    announce_thread(*state_, creator->serial, false);
}

void Thread::start() {
    {
        std::lock_guard lock(state_->mutex);
        if (state_->phase != Phase::initial) throw RuntimeError("threads can only be started once");
        state_->phase = Phase::running;
    }
    Registry& r = registry();
    // Any failure (no OS thread, no memory for the registry entry or the std::thread) leaves the
    // Thread as if never started, as CPython does, and the error goes to the caller.
    auto undo_start = [&] {
        {
            std::lock_guard lock(r.mutex);
            r.alive.erase(state_->serial);
        }
        std::lock_guard lock(state_->mutex);
        state_->phase = Phase::initial;
    };
    try {
        {
            std::lock_guard lock(r.mutex);
            r.alive.emplace(state_->serial, state_);
        }
        std::lock_guard os_lock(state_->os_mutex);
        state_->os_thread = detail::OsThread([state = state_] { run_thread(state); });
        std::lock_guard lock(state_->mutex);
        state_->ident = static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(state_->os_thread.native_handle()));
        detail::set_thread_label(state_->os_thread, state_->name); // sim: named before it first runs
    } catch (const std::system_error& e) {
        undo_start();
        throw RuntimeError(std::string("can't start new thread: ") + e.what());
    } catch (...) {
        undo_start();
        throw;
    }
    detail::scheduling_point(); // sim: the new thread may run first
}

void Thread::join(Timeout timeout) const {
    {
        std::lock_guard lock(state_->mutex);
        if (state_->phase == Phase::initial) throw RuntimeError("cannot join thread before it is started");
    }
    if (state_ == this_thread_state()) throw RuntimeError("cannot join current thread");
    if (state_->is_dummy) throw AssertionError("cannot join a dummy thread"); // Python 3.11's assert
    if (!events::detail::observed()) return wait_until_stopped(*state_, timeout);
    bool blocks = !(timeout && *timeout <= 0); // stopped already, or a timeout of 0: no wait to announce
    {
        std::lock_guard lock(state_->mutex);
        blocks = blocks && state_->phase != Phase::stopped;
    }
    if (!blocks) return wait_until_stopped(*state_, timeout);
    events::detail::WaitScope wait(events::ObjectKind::thread, state_->serial);
    wait_until_stopped(*state_, timeout);
    wait.end(!is_alive());
}

bool Thread::is_alive() const {
    std::lock_guard lock(state_->mutex);
    return state_->phase == Phase::running;
}

std::string Thread::name() const {
    std::lock_guard lock(state_->mutex);
    return state_->name;
}

void Thread::set_name(std::string name) {
    {
        std::lock_guard lock(state_->mutex);
        state_->name = name;
    }
    if (!events::detail::observed()) return;
    events::Event event;
    event.kind = events::Kind::thread_named;
    event.object_kind = events::ObjectKind::thread;
    event.object = state_->serial;
    event.name = name;
    events::detail::emit(event);
}

std::optional<unsigned long> Thread::ident() const {
    std::lock_guard lock(state_->mutex);
    return state_->ident;
}

std::optional<long> Thread::native_id() const {
    std::unique_lock lock(state_->mutex);
    // Known once the thread has begun; start() does not wait for that, so wait here.
    state_->changed.wait(lock, [&] { return state_->phase == Phase::initial || state_->native_id.has_value() || state_->phase == Phase::stopped; });
    return state_->native_id;
}

bool Thread::daemon() const {
    std::lock_guard lock(state_->mutex);
    return state_->daemon;
}

void Thread::set_daemon(bool daemon) {
    std::lock_guard lock(state_->mutex);
    if (state_->phase != Phase::initial) throw RuntimeError("cannot set daemon status of active thread");
    state_->daemon = daemon;
}

std::uint32_t Thread::serial() const { return state_->serial; }

void Thread::set_class_name(const char* name) { state_->class_name = name; }

std::string Thread::repr() const {
    std::lock_guard lock(state_->mutex);
    std::string status = state_->phase == Phase::initial ? "initial" : state_->phase == Phase::running ? "started" : "stopped";
    if (state_->daemon) status += " daemon";
    if (state_->ident) status += " " + std::to_string(*state_->ident);
    const char* kind = state_->is_dummy ? "_DummyThread" : state_ == registry().main ? "_MainThread" : state_->class_name;
    return std::string("<") + kind + "(" + state_->name + ", " + status + ")>";
}

// [SECTION] Module functions --------------------------------------------------------------------

Thread current_thread() { return detail::ThreadAccess::make(current_state()); }

Thread main_thread() { return detail::ThreadAccess::make(registry().main); }

std::vector<Thread> enumerate() {
    Registry& r = registry();
    std::vector<Thread> out;
    std::lock_guard lock(r.mutex);
    out.reserve(r.alive.size());
    for (auto& [serial, state] : r.alive) out.push_back(detail::ThreadAccess::make(state));
    return out;
}

std::size_t active_count() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    return r.alive.size();
}

unsigned long get_ident() { return current_ident(); }
long get_native_id() { return current_native_id(); }

namespace detail {
std::uint32_t current_thread_serial() { return this_thread_serial() ? this_thread_serial() : current_state()->serial; }
bool interpreter_shutting_down() { return registry().shutting_down.load(); }

std::string callable_name(const std::type_info& type) {
    int status = 0;
    char* name = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    std::string text = status == 0 && name ? name : "";
    std::free(name);
    // GCC names a closure "f()::{lambda(int)#1}", Clang (and so Emscripten) "f()::$_0".
    bool lambda = text.find("{lambda(") != std::string::npos ||
                  (text.rfind("$_") != std::string::npos && text.find_first_not_of("0123456789", text.rfind("$_") + 2) == std::string::npos);
    return lambda ? "<lambda>" : "";
}
} // namespace detail

// [SECTION] excepthook --------------------------------------------------------------------------

ExceptHook excepthook;

std::string format_thread_exception(const ExceptHookArgs& args) {
    try {
        if (args.exc_value) std::rethrow_exception(args.exc_value);
    } catch (const SystemExit&) {
        return ""; // Python's default hook ignores SystemExit silently: the thread just ends
    } catch (...) {
    }
    std::string name = args.thread ? args.thread->name() : std::to_string(get_ident());
    return "Exception in thread " + name + ":\n" + describe_exception(args.exc_value) + "\n";
}

void default_excepthook(const ExceptHookArgs& args) {
    const std::string text = format_thread_exception(args);
    if (text.empty()) return;
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
}

ExceptHook& ExceptHook::operator=(Function hook) {
    std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
    return *this;
}

void ExceptHook::operator()(const ExceptHookArgs& args) const {
    Function hook;
    {
        std::lock_guard lock(mutex_);
        hook = hook_;
    }
    if (hook)
        hook(args);
    else
        default_excepthook(args);
}

// [SECTION] local<T> support --------------------------------------------------------------------

namespace detail {
namespace {
// Destroyed at thread exit: drops this thread's value from every local<T> it touched.
struct ThreadLocals {
    std::vector<std::weak_ptr<LocalStoreBase>> stores;
    ~ThreadLocals() {
        for (auto& weak : stores)
            if (auto store = weak.lock()) store->forget(this);
    }
};
THREADLAB_PER_THREAD(ThreadLocals, thread_locals)
} // namespace

const void* this_thread_key() { return &thread_locals(); }

void remember_local_store(const std::shared_ptr<LocalStoreBase>& store) {
    auto& stores = thread_locals().stores;
    // Forget stores whose local<T> is gone, so a thread that outlives many locals stays small.
    std::erase_if(stores, [](const std::weak_ptr<LocalStoreBase>& w) { return w.expired(); });
    stores.push_back(store);
}
} // namespace detail

// [SECTION] Timer -------------------------------------------------------------------------------

Timer::Timer(double interval, std::shared_ptr<Event> finished, std::unique_ptr<detail::Callable> call)
    : Thread(ThreadOptions{},
             detail::bind_call([interval, finished, call = std::shared_ptr<detail::Callable>(std::move(call))] {
                 if (!finished->wait(interval)) (*call)();
                 finished->set();
             }),
             ""),
      finished_(std::move(finished)) {
    set_class_name("Timer");
}

} // namespace threadlab
