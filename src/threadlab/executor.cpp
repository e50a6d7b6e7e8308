// ThreadPoolExecutor: a queue, workers started on demand, and Python's shutdown rules.
#include "executor.hpp"

#include "internal.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

namespace threadlab {

namespace detail {
class ExecutorCore : public std::enable_shared_from_this<ExecutorCore> {
public:
    ExecutorCore(int max_workers, std::string prefix, std::function<void()> initializer)
        : max_workers_(max_workers), prefix_(std::move(prefix)), initializer_(std::move(initializer)) {}

    void enqueue(std::shared_ptr<WorkItem> item) {
        // task_submitted comes before a worker can start it, and is emitted without mutex_ held
        // (observers may block): checked, reported, then queued under a second look at the lock.
        const bool observed = events::detail::observed();
        if (observed) {
            {
                std::lock_guard lock(mutex_);
                throw_if_closed();
            }
            FutureCore& future = item->item_future();
            future.set_submitter(current_thread_serial());
            // count: which executor, so that a deadlock detector can tell a task queued behind
            // busy workers of the same pool (the same id as the work_queue waits' object).
            events::detail::emit_task(events::Kind::task_submitted, future.serial(), future.submitter(),
                                      static_cast<std::int64_t>(events::detail::object_id(this)));
        }
#ifdef THREADLAB_SIM
        item->item_future().set_pool(events::detail::object_id(this));
#endif
        bool wake = false;
        {
            std::unique_lock lock(mutex_);
            try {
                throw_if_closed();
            } catch (...) {
                lock.unlock();
                // Closed between the two looks: the submitted future will never run.
                if (observed) {
                    FutureCore& future = item->item_future();
                    events::detail::emit_task(events::Kind::task_cancelled, future.serial(), future.submitter());
                }
                throw;
            }
            queue_.push_back(std::move(item));
            queued_.store(queue_.size(), std::memory_order_relaxed);
            wake = sleeping_ > 0 && spinning_ == 0; // a spinning worker takes it without a wake-up
            adjust_thread_count();
        }
        if (wake) work_available_.notify_one();
    }

    void throw_if_closed() const {
        if (!broken_.empty()) throw BrokenThreadPool(broken_);
        if (shutdown_) throw RuntimeError("cannot schedule new futures after shutdown");
        if (interpreter_shutting_down()) throw RuntimeError("cannot schedule new futures after interpreter shutdown");
    }

    void shutdown(bool wait, bool cancel_futures) {
        std::deque<std::shared_ptr<WorkItem>> cancelled;
        {
            std::lock_guard lock(mutex_);
            shutdown_ = true;
            if (cancel_futures) cancelled.swap(queue_);
            queued_.store(queue_.size(), std::memory_order_relaxed);
        }
        work_available_.notify_all();
        for (auto& item : cancelled) item->cancel_item();
        if (wait) join_workers();
    }

    // Python's _python_exit: no new work ("after interpreter shutdown", since the pool itself was
    // not shut down), queued work still runs, and the workers are joined before the non-daemon
    // threads are - so none is left unjoined when the process ends.
    void stop_at_exit() {
        {
            std::lock_guard lock(mutex_);
            exiting_ = true;
        }
        work_available_.notify_all();
        join_workers();
    }

    void join_workers() {
        // Not interruptible by a deadlock detector: this runs in the executor's destructor. A
        // cycle through it is broken by the worker's wait instead.
        NoInterrupts not_here;
        Thread me = current_thread();
        for (auto& thread : threads())
            if (!(thread == me)) thread.join(); // a task that shuts its own pool down cannot join itself
    }

    int max_workers() const { return max_workers_; }
    std::vector<Thread> threads() const {
        std::lock_guard lock(mutex_);
        return threads_;
    }

private:
    // Python's _adjust_thread_count: reuse an idle worker if one is free, else start one more.
    void adjust_thread_count() {
        if (idle_permits_ > 0) {
            --idle_permits_;
            return;
        }
        if (static_cast<int>(threads_.size()) >= max_workers_) return;
        std::string name = prefix_ + "_" + std::to_string(threads_.size());
        Thread worker({.name = std::move(name), .daemon = false}, &ExecutorCore::work, shared_from_this());
        worker.start();
        threads_.push_back(std::move(worker));
    }

    void work() {
#ifdef THREADLAB_SIM
        sim::set_pool(events::detail::object_id(this));
#endif
        if (initializer_) {
            try {
                initializer_();
            } catch (...) {
                std::string text = "Exception in initializer:\n" + describe_exception(std::current_exception()) + "\n";
                std::fputs(text.c_str(), stderr);
                initializer_failed();
                return;
            }
        }
        bool finished_one = false;
        for (;;) {
            std::shared_ptr<WorkItem> item;
            bool wake_another = false;
            // Waiting for work is a wait like Python's work_queue.get(): announced (it gives up an
            // emulated GIL, and shows the worker idle), outside mutex_ as every emit.
            std::optional<events::detail::WaitScope> idle;
            {
                std::unique_lock lock(mutex_);
                if (finished_one) ++idle_permits_; // Python releases _idle_semaphore after each item
                bool spun = false;
                while (queue_.empty() && !shutdown_ && !exiting_ && broken_.empty()) {
                    if (!idle && events::detail::observed()) {
                        lock.unlock();
                        idle.emplace(events::ObjectKind::work_queue, events::detail::object_id(this));
                        lock.lock();
                        continue;
                    }
                    if (!spun && spinning_ == 0) {
                        spun = true;
                        // One idle worker at a time watches the queue for a moment before sleeping.
                        ++spinning_;
                        lock.unlock();
                        spin_until([&] { return queued_.load(std::memory_order_relaxed) > 0; });
                        lock.lock();
                        --spinning_;
                        continue;
                    }
                    ++sleeping_;
                    work_available_.wait(lock);
                    --sleeping_;
                }
                if (queue_.empty()) return;
                item = std::move(queue_.front());
                queue_.pop_front();
                queued_.store(queue_.size(), std::memory_order_relaxed);
                // Work was queued while only the spinner was awake: wake a sleeper for the rest,
                // so no item waits behind a task that blocks.
                wake_another = !queue_.empty() && sleeping_ > 0 && spinning_ == 0;
            }
            if (idle) idle->end(true);
            if (wake_another) work_available_.notify_one();
            item->run_item();
            item.reset(); // the task dropped its call already; drop our reference to it too
            finished_one = true;
        }
    }

    void initializer_failed() {
        std::deque<std::shared_ptr<WorkItem>> pending;
        std::string reason;
        {
            std::lock_guard lock(mutex_);
            broken_ = "A thread initializer failed, the thread pool is not usable anymore";
            reason = broken_;
            pending.swap(queue_);
            queued_.store(0, std::memory_order_relaxed);
        }
        work_available_.notify_all();
        for (auto& item : pending) item->fail_item(std::make_exception_ptr(BrokenThreadPool(reason)));
    }

    mutable detail::Mutex mutex_;
    detail::CondVar work_available_;
    std::deque<std::shared_ptr<WorkItem>> queue_;
    bool shutdown_ = false;
    bool exiting_ = false; // the program is exiting (stop_at_exit)
    std::string broken_;
    int idle_permits_ = 0; // Python's _idle_semaphore
    int sleeping_ = 0;     // workers waiting for work
    int spinning_ = 0;     // workers watching queued_ before they sleep (at most one)
    std::atomic<std::size_t> queued_{0}; // queue_.size(), readable without the mutex
    std::vector<Thread> threads_;
    const int max_workers_;
    const std::string prefix_;
    const std::function<void()> initializer_;

    friend void shutdown_executors_at_exit();
};

namespace {
struct LiveExecutors {
    detail::Mutex mutex;
    std::vector<std::weak_ptr<ExecutorCore>> cores;
};
LiveExecutors& live_executors() {
    static LiveExecutors* live = new LiveExecutors; // used at exit, after static destructors may run
    return *live;
}
std::atomic<int> executor_counter{0};
} // namespace

// Python's _python_exit: no new work, and every pool's workers finish the queue and are joined.
void shutdown_executors_at_exit() {
    std::vector<std::shared_ptr<ExecutorCore>> cores;
    {
        LiveExecutors& live = live_executors();
        std::lock_guard lock(live.mutex);
        for (auto& weak : live.cores)
            if (auto core = weak.lock()) cores.push_back(std::move(core));
    }
    for (auto& core : cores) core->stop_at_exit();
}

int executor_max_workers(std::uint64_t executor_id) {
    LiveExecutors& live = live_executors();
    std::lock_guard lock(live.mutex);
    for (auto& weak : live.cores)
        if (auto core = weak.lock(); core && events::detail::object_id(core.get()) == executor_id) return core->max_workers();
    return 0;
}
} // namespace detail

ThreadPoolExecutor::ThreadPoolExecutor(ThreadPoolOptions options) {
    int workers;
    if (options.max_workers) {
        if (*options.max_workers <= 0) throw ValueError("max_workers must be greater than 0");
        workers = *options.max_workers;
    } else {
        int cores = static_cast<int>(std::max(1u, detail::OsThread::hardware_concurrency()));
        workers = std::min(32, cores + 4);
    }
    if (options.thread_name_prefix.empty())
        options.thread_name_prefix = "ThreadPoolExecutor-" + std::to_string(detail::executor_counter++);
    core_ = std::make_shared<detail::ExecutorCore>(workers, std::move(options.thread_name_prefix),
                                                   std::move(options.initializer));
    auto& live = detail::live_executors();
    std::lock_guard lock(live.mutex);
    std::erase_if(live.cores, [](const std::weak_ptr<detail::ExecutorCore>& w) { return w.expired(); });
    live.cores.push_back(core_);
}

ThreadPoolExecutor::~ThreadPoolExecutor() { core_->shutdown(true, false); }

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) { core_->shutdown(wait, cancel_futures); }

int ThreadPoolExecutor::max_workers() const { return core_->max_workers(); }

std::vector<Thread> ThreadPoolExecutor::threads() const { return core_->threads(); }

void ThreadPoolExecutor::enqueue(std::shared_ptr<detail::WorkItem> item) { core_->enqueue(std::move(item)); }

} // namespace threadlab
