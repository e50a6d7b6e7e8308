// threadlab/queue.hpp - Python's queue module: Queue, LifoQueue, PriorityQueue, SimpleQueue.
//
// [SECTION] Empty, Full          the exceptions get_nowait/put_nowait (and timeouts) raise
// [SECTION] Orders               Python's _init/_qsize/_put/_get overrides, as policies
// [SECTION] BasicQueue           Queue's body: put, get, task_done, join, qsize, empty, full
// [SECTION] Queue, LifoQueue, PriorityQueue
// [SECTION] SimpleQueue          unbounded FIFO without task tracking
//
// As CPython's Lib/queue.py, a queue is built on the library's own primitives: one Lock and three
// Conditions over it (not_empty, not_full, all_tasks_done), so every wait in a queue is a wait on
// a threadlab::Condition. A queue holds one type T (move-only types too): get() returns by value.
// Timeouts are Python's: std::nullopt (the default) is None, a negative one raises
// ValueError("'timeout' must be a non-negative number"), and the wait itself goes through
// Condition::wait, so NaN raises ValueError and more than TIMEOUT_MAX OverflowError.
#pragma once

#include "errors.hpp"
#include "repr.hpp"
#include "sync.hpp"
#include "timing.hpp"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace threadlab {

// [SECTION] Empty, Full -------------------------------------------------------------------------

// queue.Empty and queue.Full: Exceptions raised with no message (str(e) is "").
class Empty : public Exception {
public:
    using Exception::Exception;
    const char* type_name() const noexcept override { return "Empty"; }
};

class Full : public Exception {
public:
    using Exception::Exception;
    const char* type_name() const noexcept override { return "Full"; }
};

namespace detail {

// The wait that Queue.put, Queue.get and SimpleQueue.get share, as Lib/queue.py writes it. The
// caller holds the condition's lock. Without `block`, raise Unavailable unless ready() already;
// with no timeout, wait as long as it takes; otherwise wait at most `timeout` seconds.
template <class Unavailable, class Ready>
void wait_until_ready(Condition& condition, Ready ready, bool block, Timeout timeout) {
    if (!block) {
        if (!ready()) throw Unavailable();
    } else if (!timeout) {
        while (!ready()) condition.wait();
    } else if (*timeout < 0) {
        throw ValueError("'timeout' must be a non-negative number");
    } else {
        double endtime = perf_counter() + *timeout;
        while (!ready()) {
            double remaining = endtime - perf_counter();
            if (remaining <= 0.0) throw Unavailable();
            condition.wait(remaining); // NaN, or past TIMEOUT_MAX, raises here
        }
    }
}

// [SECTION] Orders ------------------------------------------------------------------------------
//
// An order is what a Python subclass of Queue overrides: where put() stores an item (push), which
// one get() takes (pop), how many there are (size), and the class name repr() prints. Called
// with the queue's lock held. Write one to make a BasicQueue<T, YourOrder>.

template <class T> struct FifoOrder {
    static constexpr const char* python_name = "queue.Queue";
    std::deque<T> items;
    std::size_t size() const { return items.size(); }
    void push(T&& item) { items.push_back(std::move(item)); }
    T pop() {
        T item = std::move(items.front());
        items.pop_front();
        return item;
    }
};

template <class T> struct LifoOrder {
    static constexpr const char* python_name = "queue.LifoQueue";
    std::vector<T> items;
    std::size_t size() const { return items.size(); }
    void push(T&& item) { items.push_back(std::move(item)); }
    T pop() {
        T item = std::move(items.back());
        items.pop_back();
        return item;
    }
};

// heapq's order: the lowest item (by Compare) first. Equal items come out in no fixed order.
template <class T, class Compare> struct PriorityOrder {
    static constexpr const char* python_name = "queue.PriorityQueue";
    std::vector<T> items;
    [[no_unique_address]] Compare less;
    // std::push_heap keeps the greatest on top; reversed, it keeps the lowest there as heapq does.
    bool after(const T& a, const T& b) const { return less(b, a); }
    std::size_t size() const { return items.size(); }
    void push(T&& item) {
        items.push_back(std::move(item));
        std::push_heap(items.begin(), items.end(), [this](const T& a, const T& b) { return after(a, b); });
    }
    T pop() {
        std::pop_heap(items.begin(), items.end(), [this](const T& a, const T& b) { return after(a, b); });
        T item = std::move(items.back());
        items.pop_back();
        return item;
    }
};

} // namespace detail

// [SECTION] BasicQueue --------------------------------------------------------------------------

// queue.Queue's body over an order (see detail::FifoOrder). maxsize <= 0: unbounded.
template <class T, class Order> class BasicQueue {
public:
    using value_type = T;

    explicit BasicQueue(long long maxsize = 0) : maxsize_(maxsize) {}
    BasicQueue(const BasicQueue&) = delete;
    BasicQueue& operator=(const BasicQueue&) = delete;

    // The number of items now (another thread may change it at once, as in Python).
    std::size_t qsize() const {
        std::lock_guard guard(mutex_);
        return order_.size();
    }
    bool empty() const { return qsize() == 0; }
    bool full() const {
        std::lock_guard guard(mutex_);
        return has_no_room();
    }
    long long maxsize() const { return maxsize_; }
    // Items put and not yet marked done by task_done() (Python's attribute unfinished_tasks).
    std::size_t unfinished_tasks() const {
        std::lock_guard guard(mutex_);
        return unfinished_tasks_;
    }

    // Wait for room (bounded queues only), then add the item. Full when there is no room without
    // `block`, or none came within `timeout`; then the item is not copied or moved from, so the
    // caller still has it (as Python's caller still has its reference).
    void put(const T& item, bool block = true, Timeout timeout = std::nullopt) { put_item(item, block, timeout); }
    void put(T&& item, bool block = true, Timeout timeout = std::nullopt) { put_item(std::move(item), block, timeout); }
    void put_nowait(const T& item) { put_item(item, false, std::nullopt); }
    void put_nowait(T&& item) { put_item(std::move(item), false, std::nullopt); }

    // Wait for an item and take it. Empty when there is none without `block`, or none came
    // within `timeout`.
    T get(bool block = true, Timeout timeout = std::nullopt) {
        std::lock_guard guard(not_empty_);
        detail::wait_until_ready<Empty>(not_empty_, [this] { return order_.size() != 0; }, block, timeout);
        T item = order_.pop();
        not_full_.notify();
        return item;
    }
    T get_nowait() { return get(false); }

    // One item taken by get() is done; join() returns once every item put is done.
    // ValueError("task_done() called too many times") when none is unfinished.
    void task_done() {
        std::lock_guard guard(all_tasks_done_);
        if (unfinished_tasks_ == 0) throw ValueError("task_done() called too many times");
        if (--unfinished_tasks_ == 0) all_tasks_done_.notify_all();
    }
    void join() {
        std::lock_guard guard(all_tasks_done_);
        while (unfinished_tasks_ != 0) all_tasks_done_.wait();
    }

    // <queue.Queue object at 0x7f...> (queue.LifoQueue, queue.PriorityQueue)
    std::string repr() const {
        return std::string("<") + Order::python_name + " object at " + detail::address_text(this) + ">";
    }

private:
    template <class Item> void put_item(Item&& item, bool block, Timeout timeout) {
        std::lock_guard guard(not_full_);
        if (maxsize_ > 0) detail::wait_until_ready<Full>(not_full_, [this] { return !has_no_room(); }, block, timeout);
        order_.push(T(std::forward<Item>(item)));
        ++unfinished_tasks_;
        not_empty_.notify();
    }
    bool has_no_room() const { return maxsize_ > 0 && order_.size() >= static_cast<std::size_t>(maxsize_); }

    long long maxsize_;
    Order order_;                         // under mutex_
    std::size_t unfinished_tasks_ = 0;    // under mutex_
    mutable Lock mutex_;
    Condition not_empty_{mutex_};
    Condition not_full_{mutex_};
    Condition all_tasks_done_{mutex_};
};

// [SECTION] Queue, LifoQueue, PriorityQueue -----------------------------------------------------

// queue.Queue(maxsize=0): first in, first out.
template <class T> class Queue : public BasicQueue<T, detail::FifoOrder<T>> {
public:
    using BasicQueue<T, detail::FifoOrder<T>>::BasicQueue;
};

// queue.LifoQueue(maxsize=0): last in, first out.
template <class T> class LifoQueue : public BasicQueue<T, detail::LifoOrder<T>> {
public:
    using BasicQueue<T, detail::LifoOrder<T>>::BasicQueue;
};

// queue.PriorityQueue(maxsize=0): the lowest item first (by Compare; std::greater: the highest).
// Python's (priority, data) entries: std::pair or std::tuple, compared the same way.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public BasicQueue<T, detail::PriorityOrder<T, Compare>> {
public:
    using BasicQueue<T, detail::PriorityOrder<T, Compare>>::BasicQueue;
};

// [SECTION] SimpleQueue -------------------------------------------------------------------------

// queue.SimpleQueue(): unbounded FIFO, no task_done/join. put() never blocks (its block and
// timeout are accepted and ignored, as in Python). get() checks its timeout first, as CPython's
// C SimpleQueue does: negative, NaN or past TIMEOUT_MAX raise even when an item is there.
template <class T> class SimpleQueue {
public:
    using value_type = T;

    SimpleQueue() = default;
    SimpleQueue(const SimpleQueue&) = delete;
    SimpleQueue& operator=(const SimpleQueue&) = delete;

    void put(T item, [[maybe_unused]] bool block = true, [[maybe_unused]] Timeout timeout = std::nullopt) {
        std::lock_guard guard(not_empty_);
        items_.push_back(std::move(item));
        not_empty_.notify();
    }
    void put_nowait(T item) { put(std::move(item), false); }

    T get(bool block = true, Timeout timeout = std::nullopt) {
        if (block && timeout) detail::check_seconds(*timeout);
        std::lock_guard guard(not_empty_);
        detail::wait_until_ready<Empty>(not_empty_, [this] { return !items_.empty(); }, block, timeout);
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }
    T get_nowait() { return get(false); }

    std::size_t qsize() const {
        std::lock_guard guard(mutex_);
        return items_.size();
    }
    bool empty() const { return qsize() == 0; }

    // <_queue.SimpleQueue object at 0x7f...>
    std::string repr() const { return "<_queue.SimpleQueue object at " + detail::address_text(this) + ">"; }

private:
    std::deque<T> items_; // under mutex_
    mutable Lock mutex_;
    Condition not_empty_{mutex_};
};

} // namespace threadlab
