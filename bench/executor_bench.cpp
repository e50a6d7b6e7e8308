// bench/executor_bench.cpp - ThreadPoolExecutor against the pools people use instead.
//
// executor.submit     submit + result of N trivial tasks, 4 workers (pool creation and shutdown
//                     included, for every peer alike)
//                       threadlab       ThreadPoolExecutor(4).submit(task, i), then f.result()
//                       threadlab_recorder the same with an events::Recorder installed
//                       asio_promise    boost::asio::thread_pool(4) + post() + std::promise per task
//                       mutex_cv_queue  a plain deque + std::mutex + std::condition_variable pool of
//                                       4 workers running std::packaged_task (std::future per task)
//                       std_async       std::async(std::launch::async, task, i): a thread per task
// executor.map        list(executor.map(task, range(N)))
// executor.as_completed  submit N, then for f in as_completed(fs): f.result()
// latency.submit_start  submit -> first instruction of the task on an idle pool (p50, p99)
//
// Native builds have Boost.Asio (header-only); the wasm build runs the same code without it.
#include "harness.hpp"
#include "events_bench.hpp"
#include "workloads.hpp"

#include <threadlab/threadlab.hpp>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#if BENCH_HAVE_ASIO
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#endif

namespace bench {
namespace {

volatile long sink; // results are summed into it, so no work is optimised away

int trivial_task(int i) { return i + 1; }

// The pool a C++ programmer writes by hand: one queue, one mutex, one condition variable.
class MutexCvPool {
public:
    explicit MutexCvPool(int workers) {
        for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
    }
    ~MutexCvPool() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        ready_.notify_all();
        for (auto& t : threads_) t.join();
    }
    std::future<int> submit(int (*fn)(int), int arg) {
        std::packaged_task<int()> task([fn, arg] { return fn(arg); });
        std::future<int> f = task.get_future();
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(task));
        }
        ready_.notify_one();
        return f;
    }

private:
    void work() {
        for (;;) {
            std::packaged_task<int()> task;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [&] { return stop_ || !queue_.empty(); });
                if (queue_.empty()) return;
                task = std::move(queue_.front());
                queue_.pop_front();
            }
            task();
        }
    }
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::packaged_task<int()>> queue_;
    bool stop_ = false;
    std::vector<std::thread> threads_;
};

#if BENCH_HAVE_ASIO
double asio_promise_submit(int n, int workers) {
    return time_s([&] {
        boost::asio::thread_pool pool(workers);
        std::vector<std::future<int>> futures;
        futures.reserve(n);
        for (int i = 0; i < n; ++i) {
            std::promise<int> promise;
            futures.push_back(promise.get_future());
            boost::asio::post(pool, [promise = std::move(promise), i]() mutable { promise.set_value(trivial_task(i)); });
        }
        long sum = 0;
        for (auto& f : futures) sum += f.get();
        sink = sum;
        pool.join();
    });
}
#endif

double mutex_cv_submit(int n, int workers) {
    return time_s([&] {
        MutexCvPool pool(workers);
        std::vector<std::future<int>> futures;
        futures.reserve(n);
        for (int i = 0; i < n; ++i) futures.push_back(pool.submit(trivial_task, i));
        long sum = 0;
        for (auto& f : futures) sum += f.get();
        sink = sum;
    });
}

// std::async starts a thread per task. Holding 100,000 unjoined threads at once fails (each
// keeps its stack until its future is waited for), so tasks are waited for in windows of 256:
// the same submit + result of N tasks, with at most 256 in flight.
double std_async_submit(int n) {
    return time_s([&] {
        constexpr int window = 256;
        std::deque<std::future<int>> futures;
        long sum = 0;
        for (int i = 0; i < n; ++i) {
            if (static_cast<int>(futures.size()) == window) {
                sum += futures.front().get();
                futures.pop_front();
            }
            futures.push_back(std::async(std::launch::async, trivial_task, i));
        }
        for (auto& f : futures) sum += f.get();
        sink = sum;
    });
}

double threadlab_map(int n, int workers) {
    std::vector<int> items(n);
    for (int i = 0; i < n; ++i) items[i] = i;
    return time_s([&] {
        threadlab::ThreadPoolExecutor executor(workers);
        long sum = 0;
        for (int r : executor.map(trivial_task, items)) sum += r;
        sink = sum;
    });
}

double threadlab_as_completed(int n, int workers) {
    return time_s([&] {
        threadlab::ThreadPoolExecutor executor(workers);
        std::vector<threadlab::Future<int>> futures;
        futures.reserve(n);
        for (int i = 0; i < n; ++i) futures.push_back(executor.submit(trivial_task, i));
        long sum = 0;
        for (const auto& f : threadlab::as_completed(futures)) sum += f.result();
        sink = sum;
    });
}

// Submit -> start latency on an idle pool: the submitter sleeps between tasks, so the workers
// are asleep waiting for work each time, as in an interactive program.
void submit_start_latency(const Config& config) {
    if (!selected(config, "latency.submit_start")) return;
    const int samples = config.quick ? 20 : 2000;
    const auto gap = std::chrono::microseconds(500);
    using std::chrono::steady_clock;
    auto seconds = [](steady_clock::duration d) { return std::chrono::duration<double>(d).count(); };

    threadlab::ThreadPoolExecutor executor(4);
    for (int i = 0; i < 8; ++i) executor.submit(trivial_task, i).result(); // workers started
    std::vector<double> threadlab_latency, asio_latency;
#if BENCH_HAVE_ASIO
    boost::asio::thread_pool pool(4);
#endif
    for (int i = 0; i < samples; ++i) {
        std::this_thread::sleep_for(gap);
        auto t0 = steady_clock::now();
        auto f = executor.submit([t0] { return steady_clock::now() - t0; });
        threadlab_latency.push_back(seconds(f.result()));
#if BENCH_HAVE_ASIO
        std::this_thread::sleep_for(gap);
        std::promise<steady_clock::duration> promise;
        auto started = promise.get_future();
        t0 = steady_clock::now();
        boost::asio::post(pool, [&promise, t0] { promise.set_value(steady_clock::now() - t0); });
        asio_latency.push_back(seconds(started.get()));
#endif
    }
#if BENCH_HAVE_ASIO
    pool.join();
    print_distribution("latency.submit_start", {{"threadlab", threadlab_latency}, {"asio_promise", asio_latency}});
#else
    print_distribution("latency.submit_start", {{"threadlab", threadlab_latency}});
#endif
}

} // namespace

void executor_workloads(const Config& config) {
    const int workers = 4;
    const int n = config.quick ? 2000 : 100000;
    std::vector<Variant> submit = {
        {"threadlab", [=] { return events_on::submit_result(n, workers, false); }},
        {"threadlab_recorder", [=] { return events_on::submit_result(n, workers, true); }},
#if BENCH_HAVE_ASIO
        {"asio_promise", [=] { return asio_promise_submit(n, workers); }},
#endif
        {"mutex_cv_queue", [=] { return mutex_cv_submit(n, workers); }},
    };
#ifndef __EMSCRIPTEN__
    submit.push_back({"std_async", [=] { return std_async_submit(n); }});
#endif
    run_group(config, "executor.submit", n, submit);

    run_group(config, "executor.map", n, {{"threadlab", [=] { return threadlab_map(n, workers); }}});

    const int m = config.quick ? 1000 : 10000;
    run_group(config, "executor.as_completed", m, {{"threadlab", [=] { return threadlab_as_completed(m, workers); }}});

    submit_start_latency(config);
}

} // namespace bench
