// threadlab/future.hpp - concurrent.futures.Future, as_completed() and wait().
//
// [SECTION] Future<R>      result(timeout), exception(timeout), cancel, cancelled, running, done,
//                          add_done_callback; set_result/set_exception for executor writers
// [SECTION] as_completed   a range that yields each future once, as it completes
// [SECTION] wait           FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED
//
// A Future is a shared handle: copies refer to the same result. Future<void> is Python's future
// of a function that returns None. Exceptions thrown by the task come back out of result().
#pragma once

#include "errors.hpp"
#include "events.hpp"
#include "repr.hpp"
#include "timing.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <ostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace threadlab {

// Python's None, for ranges over the results of functions that return nothing.
struct NoneType {
    friend bool operator==(NoneType, NoneType) { return true; }
    friend std::ostream& operator<<(std::ostream& out, NoneType) { return out << "None"; }
};
inline constexpr NoneType None{};

// wait()'s return_when, with Python's names.
enum ReturnWhen { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED };

namespace detail {

// Python's state names; a cancelled future is CANCELLED_AND_NOTIFIED at once here (see README).
enum class FutureStatus { pending, running, cancelled, finished };

class FutureCore;

// Collects futures as they complete, for as_completed() and wait().
struct FutureWaiter {
    detail::Mutex mutex;
    detail::CondVar changed;
    std::deque<std::shared_ptr<FutureCore>> finished;
    std::size_t delivered = 0;
    bool saw_exception = false; // a delivered future finished by raising
};

// Python's type name of a result, for repr: int, float, str, bool, NoneType, or the C++ name.
std::string python_type_name(const std::type_info& type);

// Everything about a future that does not depend on its result type.
class FutureCore : public std::enable_shared_from_this<FutureCore> {
public:
    using Callback = std::function<void(const std::shared_ptr<FutureCore>&)>;
    explicit FutureCore(const std::type_info& result_type);
    virtual ~FutureCore() = default;
    FutureCore(const FutureCore&) = delete;
    FutureCore& operator=(const FutureCore&) = delete;

    bool cancel();
    bool cancelled() const;
    bool running() const;
    bool done() const;
    std::exception_ptr exception(Timeout timeout);
    bool set_running_or_notify_cancel();
    void set_exception(std::exception_ptr error);
    void add_done_callback(Callback callback);
    std::string repr() const;
    std::uint64_t serial() const { return serial_; }
    // The thread that submitted it to an executor (0: not recorded, made while nobody observed).
    std::uint32_t submitter() const { return submitter_; }
    void set_submitter(std::uint32_t serial) { submitter_ = serial; }
#ifdef THREADLAB_SIM
    void set_pool(std::uint64_t executor) { pool_ = executor; }
#endif

    // Wait until finished; CancelledError / TimeoutError otherwise; rethrows the task's error.
    void wait_for_result(Timeout timeout);
    // For as_completed/wait: a done future is delivered to the waiter at once, others on completion.
    void add_waiter(FutureWaiter* waiter);
    void remove_waiter(FutureWaiter* waiter);

protected:
    // Finish with a result stored by `store` (called under the lock); InvalidStateError if done.
    template <class Store> void finish(Store&& store) {
        std::unique_lock lock(mutex_);
        throw_if_done(lock);
        store();
        complete(lock, FutureStatus::finished);
    }

private:
    // Wait until done; CancelledError if cancelled, TimeoutError if still not finished.
    void wait_done(Timeout timeout);
    void throw_if_done(detail::UniqueLock& lock) const;
    std::string repr_locked() const;
    // Publish the final status, wake result() callers and waiters, then run the callbacks
    // outside the lock.
    void complete(detail::UniqueLock& lock, FutureStatus final_status);
    FutureStatus status() const { return status_.load(std::memory_order_acquire); }

    // Readers of a done future (result(), done()) only load status_: the result and error_ are
    // written before status_ becomes final and never change after. Transitions hold mutex_,
    // except pending -> running, one compare-exchange on the worker's path. A pool makes one
    // future per task, so the state is kept small: threads that must sleep in result() wait on
    // a condition variable shared by all futures (see future.cpp), and callbacks and waiters
    // live in a block allocated only for futures that have them.
    struct Listeners {
        std::vector<Callback> callbacks;
        std::vector<FutureWaiter*> waiters;
    };
    mutable detail::Mutex mutex_;
    std::atomic<FutureStatus> status_{FutureStatus::pending};
    std::atomic<bool> has_sleepers_{false}; // a thread slept in result(): wake it on completion
    std::exception_ptr error_;
    std::unique_ptr<Listeners> listeners_;
    const std::type_info& result_type_;
    std::uint64_t serial_;
    std::uint32_t submitter_ = 0;
#ifdef THREADLAB_SIM
    std::uint64_t runner_ = 0; // the thread running its task, for the all-asleep report
    std::uint64_t pool_ = 0;   // the pool its task is queued on (until runner_ is set), likewise
#endif
};

// Not final: an executor's task derives from it, so a task and its future are one allocation.
template <class R> class FutureState : public FutureCore {
public:
    FutureState() : FutureCore(typeid(R)) {}
    template <class V> void set_result(V&& value) {
        finish([&] { value_.emplace(std::forward<V>(value)); });
    }
    const R& value() const { return *value_; } // only once finished without error

private:
    std::optional<R> value_;
};

template <> class FutureState<void> : public FutureCore {
public:
    FutureState() : FutureCore(typeid(void)) {}
    void set_result() {
        finish([] {});
    }
};

} // namespace detail

// [SECTION] Future<R> ---------------------------------------------------------------------------

template <class R> class Future {
public:
    using value_type = R;
    // What result() returns: a copy when R can be copied, else a reference into the future.
    using result_type = std::conditional_t<std::is_void_v<R> || std::is_copy_constructible_v<R>, R, std::add_lvalue_reference_t<const R>>;

    // A new pending future: for writers of executors and for tests. Executors make their own.
    Future() : state_(std::make_shared<detail::FutureState<R>>()) {}
    explicit Future(std::shared_ptr<detail::FutureState<R>> state) : state_(std::move(state)) {}

    // The task's return value; rethrows its exception; CancelledError if cancelled;
    // TimeoutError if `timeout` seconds pass first.
    result_type result(Timeout timeout = std::nullopt) const {
        state_->wait_for_result(timeout);
        if constexpr (!std::is_void_v<R>) return state_->value();
    }
    // The task's exception (nullptr if it returned); CancelledError / TimeoutError as result().
    std::exception_ptr exception(Timeout timeout = std::nullopt) const { return state_->exception(timeout); }

    // Cancel unless running or done; true if the future is (now) cancelled.
    bool cancel() { return state_->cancel(); }
    bool cancelled() const { return state_->cancelled(); }
    bool running() const { return state_->running(); }
    bool done() const { return state_->done(); }

    // fn(future) runs when the future is done, in the thread that completes it; at once, in the
    // caller's thread, if it is already done. Exceptions from fn are reported, not propagated.
    template <class F> void add_done_callback(F fn) {
        state_->add_done_callback([fn = std::move(fn)](const std::shared_ptr<detail::FutureCore>& core) mutable {
            fn(Future<R>(std::static_pointer_cast<detail::FutureState<R>>(core)));
        });
    }

    // Executor side. InvalidStateError("FINISHED: <Future ...>") when already done.
    template <class V = R>
        requires(!std::is_void_v<R>)
    void set_result(V&& value) {
        state_->set_result(std::forward<V>(value));
    }
    void set_result()
        requires std::is_void_v<R>
    {
        state_->set_result();
    }
    void set_exception(std::exception_ptr error) { state_->set_exception(std::move(error)); }
    template <class E>
        requires std::is_base_of_v<std::exception, E>
    void set_exception(const E& error) {
        set_exception(std::make_exception_ptr(error));
    }
    // False (and the cancellation is delivered) if cancelled; else marks it running.
    // RuntimeError("Future in unexpected state") if it is already running or done.
    bool set_running_or_notify_cancel() { return state_->set_running_or_notify_cancel(); }

    // <Future at 0x55d0c8 state=finished returned int>
    std::string repr() const { return state_->repr(); }
    std::uint64_t serial() const { return state_->serial(); }
    const std::shared_ptr<detail::FutureState<R>>& state() const { return state_; }

    friend bool operator==(const Future& a, const Future& b) { return a.state_ == b.state_; }

private:
    std::shared_ptr<detail::FutureState<R>> state_;
};

namespace detail {
// An input iterator over a range whose elements are computed one at a time (as_completed, map):
// the Owner provides current(), advance() and at_end().
template <class Owner, class Value> class PullIterator {
public:
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    explicit PullIterator(Owner* owner) : owner_(owner) {}
    const Value& operator*() const { return owner_->current(); }
    const Value* operator->() const { return &owner_->current(); }
    PullIterator& operator++() {
        owner_->advance();
        return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const PullIterator& it, std::default_sentinel_t) { return it.at_end(); }

private:
    bool at_end() const { return owner_->at_end(); }
    Owner* owner_;
};

template <class Range> using range_future_t = std::remove_cvref_t<decltype(*std::begin(std::declval<Range&>()))>;

// Python takes set(fs): each future counts once, in the order first seen.
template <class R, class Range> std::vector<Future<R>> unique_futures(const Range& fs) {
    std::vector<Future<R>> out;
    std::unordered_set<const void*> seen;
    for (const auto& f : fs)
        if (seen.insert(f.state().get()).second) out.push_back(f);
    return out;
}
} // namespace detail

// [SECTION] as_completed ------------------------------------------------------------------------

// for (Future<R> f : as_completed(futures, timeout)) yields every future once, finished ones
// first, then each as it completes. TimeoutError("2 (of 5) futures unfinished") if the timeout,
// counted from the start of the iteration, passes first. Like Python's generator, the range lets
// go of each future as it yields it: a result the caller has dropped is freed.
template <class R> class AsCompleted {
public:
    AsCompleted(std::vector<Future<R>> futures, Timeout timeout)
        : futures_(std::move(futures)), total_(futures_.size()), timeout_(timeout),
          waiter_(std::make_unique<detail::FutureWaiter>()) {}
    AsCompleted(AsCompleted&&) = default;
    AsCompleted& operator=(AsCompleted&&) = default;
    ~AsCompleted() {
        if (waiter_)
            for (auto& [core, f] : pending_) f.state()->remove_waiter(waiter_.get());
    }

    using iterator = detail::PullIterator<AsCompleted, Future<R>>;

    iterator begin() {
        if (!installed_) {
            installed_ = true;
            deadline_ = detail::deadline_after(timeout_);
            for (auto& f : futures_) {
                const void* core = f.state().get();
                pending_.emplace(core, std::move(f));
                pending_.at(core).state()->add_waiter(waiter_.get()); // delivers it now if done
            }
            futures_.clear();
            advance();
        }
        return iterator(this);
    }
    std::default_sentinel_t end() const { return {}; }

private:
    friend iterator;
    const Future<R>& current() const { return *current_; }
    bool at_end() const { return !current_; }
    void advance() {
        current_.reset();
        if (pending_.empty()) return;
        std::unique_lock lock(waiter_->mutex);
        if (!events::detail::reported_wait(waiter_->changed, lock, deadline_, [&] { return !waiter_->finished.empty(); },
                                           events::ObjectKind::futures_wait, events::detail::object_id(waiter_.get())))
            throw TimeoutError(std::to_string(pending_.size()) + " (of " + std::to_string(total_) + ") futures unfinished");
        auto core = std::move(waiter_->finished.front());
        waiter_->finished.pop_front();
        lock.unlock();
        auto found = pending_.find(core.get());
        current_ = std::move(found->second); // done, so no longer holds the waiter
        pending_.erase(found);
    }

    std::vector<Future<R>> futures_;                       // until begin(): in input order
    std::unordered_map<const void*, Future<R>> pending_; // from begin(): not yielded yet
    std::size_t total_;
    Timeout timeout_;
    std::unique_ptr<detail::FutureWaiter> waiter_;
    std::optional<Clock::time_point> deadline_;
    bool installed_ = false;
    std::optional<Future<R>> current_;
};

template <class Range> auto as_completed(const Range& fs, Timeout timeout = std::nullopt) {
    using F = detail::range_future_t<Range>;
    using R = typename F::value_type;
    return AsCompleted<R>(detail::unique_futures<R>(fs), timeout);
}
template <class R> AsCompleted<R> as_completed(std::initializer_list<Future<R>> fs, Timeout timeout = std::nullopt) {
    return AsCompleted<R>(detail::unique_futures<R>(fs), timeout);
}

// [SECTION] wait --------------------------------------------------------------------------------

// What wait() returns: Python's DoneAndNotDoneFutures(done, not_done), in the input's order.
template <class R> struct DoneAndNotDone {
    std::vector<Future<R>> done;
    std::vector<Future<R>> not_done;
};

// Wait until return_when holds or the timeout passes (no TimeoutError: look at not_done).
template <class Range>
auto wait(const Range& fs, Timeout timeout = std::nullopt, ReturnWhen return_when = ALL_COMPLETED) {
    using F = detail::range_future_t<Range>;
    using R = typename F::value_type;
    std::vector<Future<R>> futures = detail::unique_futures<R>(fs);
    detail::FutureWaiter waiter;
    for (auto& f : futures) f.state()->add_waiter(&waiter);
    auto deadline = detail::deadline_after(timeout);
    {
        std::unique_lock lock(waiter.mutex);
        auto satisfied = [&] {
            if (waiter.delivered == futures.size()) return true;
            if (return_when == FIRST_COMPLETED) return waiter.delivered > 0;
            if (return_when == FIRST_EXCEPTION) return waiter.saw_exception;
            return false;
        };
        events::detail::reported_wait(waiter.changed, lock, deadline, satisfied, events::ObjectKind::futures_wait,
                                      events::detail::object_id(&waiter));
    }
    for (auto& f : futures) f.state()->remove_waiter(&waiter);
    DoneAndNotDone<R> out;
    std::unordered_set<const void*> finished;
    {
        std::lock_guard lock(waiter.mutex);
        for (auto& core : waiter.finished) finished.insert(core.get());
    }
    for (auto& f : futures) (finished.count(f.state().get()) ? out.done : out.not_done).push_back(f);
    return out;
}

} // namespace threadlab
