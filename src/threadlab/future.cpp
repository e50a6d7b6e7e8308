// Future's state machine: pending -> running -> finished, or pending -> cancelled.
#include "future.hpp"

#include "internal.hpp"
#include "events.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cxxabi.h>
#include <cstdlib>
#include <string_view>

namespace threadlab::detail {
namespace {
std::atomic<std::uint64_t> next_future_serial{1};

bool is_done(FutureStatus status) { return status == FutureStatus::cancelled || status == FutureStatus::finished; }

// Where result() callers sleep: one mutex and condition variable per slot, shared by the futures
// whose addresses hash to it, instead of 88 bytes of both in every future. Sleeping is rare (the
// caller first spins) and a wake-up for another future of the slot only costs a re-check.
struct Parking {
    detail::Mutex mutex;
    detail::CondVar woken;
};
Parking& parking_for(const void* future) {
    constexpr std::size_t slots = 64;
    static Parking* table = new Parking[slots]; // never destroyed: futures may complete during exit
    return table[(reinterpret_cast<std::uintptr_t>(future) / 64) % slots];
}
// Hand a done future to an as_completed()/wait() collector. Notify under the collector's lock:
// as_completed() yields a future as soon as it can take it from the queue, and may then be done
// and destroy the collector - which it can only do after this lock is released.
void deliver(FutureWaiter* waiter, std::shared_ptr<FutureCore> future, bool raised) {
    std::lock_guard waiter_lock(waiter->mutex);
    waiter->finished.push_back(std::move(future));
    ++waiter->delivered;
    if (raised) waiter->saw_exception = true;
    waiter->changed.notify_all();
}
} // namespace

std::string python_type_name(const std::type_info& type) {
    if (type == typeid(void)) return "NoneType";
    if (type == typeid(bool)) return "bool";
    if (type == typeid(int) || type == typeid(long) || type == typeid(long long) || type == typeid(short) ||
        type == typeid(unsigned) || type == typeid(unsigned long) || type == typeid(unsigned long long) ||
        type == typeid(unsigned short))
        return "int";
    if (type == typeid(double) || type == typeid(float) || type == typeid(long double)) return "float";
    if (type == typeid(std::string) || type == typeid(const char*) || type == typeid(std::string_view)) return "str";
    int status = 0;
    char* name = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    std::string text = status == 0 && name ? name : type.name();
    std::free(name);
    return text;
}

FutureCore::FutureCore(const std::type_info& result_type) : result_type_(result_type), serial_(next_future_serial++) {}

bool FutureCore::cancel() {
    std::unique_lock lock(mutex_);
    FutureStatus expected = FutureStatus::pending;
    if (!status_.compare_exchange_strong(expected, FutureStatus::cancelled, std::memory_order_acq_rel))
        return expected == FutureStatus::cancelled; // running or finished: too late
    complete(lock, FutureStatus::cancelled);
    if (events::detail::observed()) events::detail::emit_task(events::Kind::task_cancelled, serial_, submitter_);
    return true;
}

bool FutureCore::cancelled() const { return status() == FutureStatus::cancelled; }

bool FutureCore::running() const { return status() == FutureStatus::running; }

bool FutureCore::done() const { return is_done(status()); }

void FutureCore::wait_done(Timeout timeout) {
    if (timeout) check_seconds(*timeout); // before spinning: a NaN raises at once
    std::optional<events::detail::WaitScope> wait;
    if (!is_done(status()) && !(timeout && *timeout <= 0) && events::detail::observed())
        wait.emplace(events::ObjectKind::future, serial_, std::string_view(), serial_);
    if (!is_done(status()) && !(timeout && *timeout <= 0) && !spin_until([&] { return is_done(status()); })) {
        // has_sleepers_ is stored before status_ is checked, and complete() stores status_ before
        // it loads has_sleepers_ (both sequentially consistent): either complete() sees a sleeper
        // and notifies under the slot's mutex, or the sleeper sees the final status.
        Parking& parking = parking_for(this);
#ifdef THREADLAB_SIM
        sim::WaitNote note(events::ObjectKind::future, serial_, {}, &runner_);
        note.queued_on = pool_;
#endif
        // A deadlock detector that breaks cycles may end the wait with DeadlockError.
        InterruptibleWait interruptible(parking.woken, parking.mutex);
        std::unique_lock lock(parking.mutex);
        has_sleepers_.store(true);
        auto done = [&] { return is_done(status_.load()) || interruptible.interrupted(); };
        if (auto deadline = deadline_after(timeout))
            parking.woken.wait_until(lock, *deadline, done);
        else
            parking.woken.wait(lock, done);
        interruptible.throw_if_interrupted(); // even if the task just ended: it was in the cycle
    }
    FutureStatus now = status();
    if (wait) wait->end(now == FutureStatus::finished);
    if (now == FutureStatus::cancelled) throw CancelledError();
    if (now != FutureStatus::finished) throw TimeoutError();
}

void FutureCore::wait_for_result(Timeout timeout) {
    wait_done(timeout);
    if (error_) std::rethrow_exception(error_);
}

std::exception_ptr FutureCore::exception(Timeout timeout) {
    wait_done(timeout);
    return error_;
}

bool FutureCore::set_running_or_notify_cancel() {
    FutureStatus expected = FutureStatus::pending;
    if (status_.compare_exchange_strong(expected, FutureStatus::running, std::memory_order_acq_rel)) {
#ifdef THREADLAB_SIM
        runner_ = this_ident();
#endif
        return true;
    }
    if (expected == FutureStatus::cancelled) return false; // waiters were told when it was cancelled
    throw RuntimeError("Future in unexpected state");
}

void FutureCore::set_exception(std::exception_ptr error) {
    std::unique_lock lock(mutex_);
    throw_if_done(lock);
    error_ = std::move(error);
    complete(lock, FutureStatus::finished);
}

void FutureCore::add_done_callback(Callback callback) {
    {
        std::lock_guard lock(mutex_);
        if (!is_done(status())) {
            if (!listeners_) listeners_ = std::make_unique<Listeners>();
            listeners_->callbacks.push_back(std::move(callback));
            return;
        }
    }
    try {
        callback(shared_from_this());
    } catch (...) {
        std::string text = "exception calling callback for " + repr() + "\n" + describe_exception(std::current_exception()) + "\n";
        std::fputs(text.c_str(), stderr);
    }
}

void FutureCore::add_waiter(FutureWaiter* waiter) {
    std::lock_guard lock(mutex_);
    if (!is_done(status())) {
        if (!listeners_) listeners_ = std::make_unique<Listeners>();
        listeners_->waiters.push_back(waiter);
        return;
    }
    deliver(waiter, shared_from_this(), error_ != nullptr);
}

void FutureCore::remove_waiter(FutureWaiter* waiter) {
    std::lock_guard lock(mutex_);
    if (listeners_) std::erase(listeners_->waiters, waiter);
}

void FutureCore::throw_if_done(detail::UniqueLock&) const {
    FutureStatus now = status();
    if (now == FutureStatus::finished) throw InvalidStateError("FINISHED: " + repr_locked());
    if (now == FutureStatus::cancelled) throw InvalidStateError("CANCELLED: " + repr_locked());
}

void FutureCore::complete(detail::UniqueLock& lock, FutureStatus final_status) {
    // The caller holds a handle to this future (the task's or the user's), so it outlives this call.
    status_.store(final_status);
    bool saw_exception = final_status == FutureStatus::finished && error_;
    std::shared_ptr<FutureCore> self;
    std::vector<Callback> callbacks;
    if (std::unique_ptr<Listeners> listeners = std::move(listeners_)) {
        self = shared_from_this();
        for (FutureWaiter* waiter : listeners->waiters) deliver(waiter, self, saw_exception);
        callbacks = std::move(listeners->callbacks);
    }
    lock.unlock();
    if (has_sleepers_.load()) {
        Parking& parking = parking_for(this);
        { std::lock_guard parking_lock(parking.mutex); } // the sleeper is waiting, or saw the status
        parking.woken.notify_all();
    }
    for (auto& callback : callbacks) {
        try {
            callback(self);
        } catch (...) {
            // Python logs the error and goes on with the next callback.
            std::string text = "exception calling callback for " + repr() + "\n" + describe_exception(std::current_exception()) + "\n";
            std::fputs(text.c_str(), stderr);
        }
    }
}

std::string FutureCore::repr() const {
    std::lock_guard lock(mutex_);
    return repr_locked();
}

std::string FutureCore::repr_locked() const {
    FutureStatus now = status();
    const char* state = now == FutureStatus::pending     ? "pending"
                        : now == FutureStatus::running   ? "running"
                        : now == FutureStatus::cancelled ? "cancelled"
                                                             : "finished";
    std::string text = "<Future at " + address_text(this) + " state=" + state;
    if (now == FutureStatus::finished)
        text += error_ ? " raised " + exception_type_name(error_) : " returned " + python_type_name(result_type_);
    return text + ">";
}

} // namespace threadlab::detail
