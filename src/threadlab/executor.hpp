// threadlab/executor.hpp - concurrent.futures.ThreadPoolExecutor.
//
//   ThreadPoolExecutor executor;                  // with ThreadPoolExecutor() as executor:
//   Future<std::string> f1 = executor.submit(do_something, 1);
//   for (auto&& r : executor.map(fn, items)) ... // results in the order of `items`
//   executor.shutdown();                          // or let the destructor do it (end of `with`)
//
// Workers are Threads named "ThreadPoolExecutor-0_0", "ThreadPoolExecutor-0_1", ... (or
// "prefix_0", ...), started one at a time as submit() finds no idle worker, up to max_workers.
#pragma once

#include "future.hpp"
#include "thread.hpp"
#include "events.hpp"

#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace threadlab {

// ThreadPoolExecutor(max_workers=None, thread_name_prefix='', initializer=None, initargs=())
struct ThreadPoolOptions {
    std::optional<int> max_workers = {};    // std::nullopt: min(32, cores + 4); ValueError if <= 0
    std::string thread_name_prefix = {};    // empty: "ThreadPoolExecutor-N"
    std::function<void()> initializer = {}; // run by each worker before its first task (bind initargs)
};

namespace detail {
// A queued call: runs the function into its future, or fails or cancels it without running it.
// Only the thread that took the item off the queue calls these.
struct WorkItem {
    virtual ~WorkItem() = default;
    virtual void run_item() = 0;
    virtual void fail_item(std::exception_ptr error) = 0;
    virtual void cancel_item() = 0;
    virtual FutureCore& item_future() = 0;
};

// The task is its own future's state: one allocation per submit(). The call (and the arguments
// it holds) is dropped once it ran or was failed, as Python's worker drops its _WorkItem, even
// while the caller still holds the future.
template <class R, class Call> class Task final : public FutureState<R>, public WorkItem {
public:
    explicit Task(Call c) : call_(std::move(c)) {}
    void run_item() override {
        if (!this->set_running_or_notify_cancel()) {
            call_.reset(); // cancelled while queued
            return;
        }
        // task_done/task_failed come before set_result/set_exception wake the result() callers.
        const bool observed = events::detail::observed();
        if (observed) report(events::Kind::task_started);
        try {
            if constexpr (std::is_void_v<R>) {
                (*call_)();
                if (observed) report(events::Kind::task_done);
                this->set_result();
            } else if (observed) {
                R value = (*call_)();
                report(events::Kind::task_done);
                this->set_result(std::move(value));
            } else {
                this->set_result((*call_)());
            }
        } catch (...) {
            if (observed) report(events::Kind::task_failed);
            this->set_exception(std::current_exception());
        }
        call_.reset();
    }
    void fail_item(std::exception_ptr error) override {
        call_.reset();
        // A queued future can only be done by having been cancelled: it stays cancelled. (Python
        // raises InvalidStateError here, and the futures queued after it are never failed.)
        try {
            this->set_exception(std::move(error));
        } catch (const InvalidStateError&) {
        }
    }
    void cancel_item() override {
        this->cancel();
        call_.reset();
    }
    FutureCore& item_future() override { return *this; }

private:
    void report(events::Kind kind) const { events::detail::emit_task(kind, this->serial(), this->submitter()); }
    std::optional<Call> call_;
};

class ExecutorCore;
} // namespace detail

// The range executor.map() returns: results in input order, each waited for as the iteration
// reaches it. A timeout counts from the call to map() (TimeoutError). As Python's generator:
//  - each future is let go as its result is taken, so results the caller is done with are freed;
//  - an item that raises (or times out) ends the iteration: the exception comes out at that item,
//    the items not reached yet are cancelled, and the range is then at its end;
//  - once iteration has begun, destroying the range cancels the items not reached yet.
template <class R> class MapResult {
public:
    using value_type = std::conditional_t<std::is_void_v<R>, NoneType, R>;

    MapResult(std::vector<Future<R>> futures, std::optional<Clock::time_point> deadline)
        : pending_(std::make_move_iterator(futures.begin()), std::make_move_iterator(futures.end())),
          deadline_(deadline) {}
    MapResult(MapResult&&) = default;
    MapResult& operator=(MapResult&&) = default;
    ~MapResult() {
        if (started_) cancel_pending();
    }

    using iterator = detail::PullIterator<MapResult, value_type>;

    iterator begin() {
        started_ = true;
        return iterator(this);
    }
    std::default_sentinel_t end() const { return {}; }

    // list(executor.map(...)): every result, in order.
    std::vector<value_type> list() {
        std::vector<value_type> out;
        for (const auto& value : *this) out.push_back(value);
        return out;
    }

private:
    friend iterator;
    bool at_end() const { return !value_ && pending_.empty(); }
    const value_type& current() {
        if (!value_) {
            Future<R> f = std::move(pending_.front()); // Python's fs.pop(): the range lets it go
            pending_.pop_front();
            try {
                if constexpr (std::is_void_v<R>) {
                    f.result(detail::remaining(deadline_));
                    value_.emplace();
                } else {
                    value_.emplace(f.result(detail::remaining(deadline_)));
                }
            } catch (...) {
                f.cancel(); // Python's _result_or_cancel
                cancel_pending();
                throw;
            }
        }
        return *value_;
    }
    void advance() {
        if (!value_ && !pending_.empty()) current(); // a skipped item is still waited for, as Python's next() does
        value_.reset();
    }
    void cancel_pending() {
        for (auto& f : pending_) f.cancel();
        pending_.clear();
    }

    std::deque<Future<R>> pending_; // not taken yet, in input order
    std::optional<Clock::time_point> deadline_;
    bool started_ = false;
    std::optional<value_type> value_;
};

class ThreadPoolExecutor {
public:
    ThreadPoolExecutor() : ThreadPoolExecutor(ThreadPoolOptions{}) {}
    explicit ThreadPoolExecutor(int max_workers) : ThreadPoolExecutor(ThreadPoolOptions{.max_workers = max_workers}) {}
    explicit ThreadPoolExecutor(ThreadPoolOptions options);
    // Leaving Python's `with` block: shutdown(wait=true).
    ~ThreadPoolExecutor();
    ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
    ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

    // Schedule fn(args...) and return its Future. RuntimeError("cannot schedule new futures after
    // shutdown"); BrokenThreadPool once an initializer failed.
    template <class F, class... Args>
        requires std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>
    auto submit(F&& fn, Args&&... args) {
        using R = std::invoke_result_t<std::decay_t<F>&, std::decay_t<Args>&...>;
        auto call = [fn = std::forward<F>(fn), ... args = std::forward<Args>(args)]() mutable -> R {
            return std::invoke(fn, args...);
        };
        auto task = std::make_shared<detail::Task<R, decltype(call)>>(std::move(call));
        Future<R> future(task);
        enqueue(std::move(task));
        return future;
    }

    // Submit fn(item) for every item at once; iterate the result for the values in input order.
    // Items that are tuples or pairs are unpacked when fn takes their elements (Python's
    // map(fn, xs, ys) is map(fn, zipped)).
    template <class F, class Range> auto map(F fn, const Range& items, Timeout timeout = std::nullopt) {
        using Item = std::remove_cvref_t<decltype(*std::begin(items))>;
        auto deadline = detail::deadline_after(timeout);
        if constexpr (std::is_invocable_v<F&, const Item&>) {
            using R = std::invoke_result_t<F&, const Item&>;
            std::vector<Future<R>> futures;
            for (const auto& item : items) futures.push_back(submit(fn, item));
            return MapResult<R>(std::move(futures), deadline);
        } else {
            using R = decltype(std::apply(fn, std::declval<const Item&>()));
            std::vector<Future<R>> futures;
            for (const auto& item : items)
                futures.push_back(submit([fn](const Item& i) { return std::apply(fn, i); }, item));
            return MapResult<R>(std::move(futures), deadline);
        }
    }

    // No new work after this. wait: join the workers (queued work still runs, unless
    // cancel_futures, which cancels everything not yet started).
    void shutdown(bool wait = true, bool cancel_futures = false);

    int max_workers() const;
    // The workers started so far.
    std::vector<Thread> threads() const;

private:
    void enqueue(std::shared_ptr<detail::WorkItem> item);
    std::shared_ptr<detail::ExecutorCore> core_;
};

} // namespace threadlab
