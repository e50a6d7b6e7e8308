// bench/tutorial_bench.cpp - the tutorial's runs, natively: wall time of each, against the same
// program written with std::thread / Boost.Asio.
//
// tutorial.sleep_10x1s             10 threads each sleep 1 s (the tutorial reports 1.02 s)
// tutorial.sleep_1000x100ms.threads  1,000 threads each sleep 100 ms
// tutorial.sleep_1000x100ms.pool32   1,000 sleeps of 100 ms on a pool of 32 workers (>= 3.2 s)
// tutorial.download_15x300ms       15 downloads from serve.py, each answered after 300 ms:
//                                    threads: 15 Threads; pool15: ThreadPoolExecutor(15).map;
//                                    pool_default: ThreadPoolExecutor().map (min(32, cores + 4)
//                                    workers, as the tutorial writes it); std_thread: 15 std::threads
// tutorial.download_15x300ms.sequential  the same 15, one after another
#include "workloads.hpp"

#include <threadlab/threadlab.hpp>

#include "tasks/fetch.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace bench {
namespace {

double threadlab_sleepers(int n, double seconds) {
    return time_s([&] {
        std::vector<threadlab::Thread> threads;
        for (int i = 0; i < n; ++i) {
            threads.emplace_back([](double s) { threadlab::sleep(s); }, seconds);
            threads.back().start();
        }
        for (auto& t : threads) t.join();
    });
}

double std_sleepers(int n, double seconds) {
    return time_s([&] {
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i)
            threads.emplace_back([seconds] { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); });
        for (auto& t : threads) t.join();
    });
}

double threadlab_pool_sleeps(int n, double seconds, int workers) {
    return time_s([&] {
        threadlab::ThreadPoolExecutor executor(workers);
        for (int i = 0; i < n; ++i) executor.submit([](double s) { threadlab::sleep(s); }, seconds);
    }); // the destructor is the end of the `with` block: it waits for every task
}

double asio_pool_sleeps(int n, double seconds, int workers) {
    return time_s([&] {
        boost::asio::thread_pool pool(workers);
        std::vector<std::future<void>> futures;
        for (int i = 0; i < n; ++i) {
            std::promise<void> promise;
            futures.push_back(promise.get_future());
            boost::asio::post(pool, [promise = std::move(promise), seconds]() mutable {
                std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
                promise.set_value();
            });
        }
        for (auto& f : futures) f.get();
        pool.join();
    });
}

// The tutorial's 15 photos, served by serve.py's simulated internet.
const char* const img_ids[] = {
    "photo-1516117172878-fd2c41f4a759", "photo-1532009324734-20a7a5813719", "photo-1524429656589-6633a470097c",
    "photo-1530224264768-7ff8c1789d79", "photo-1564135624576-c5c88640f235", "photo-1541698444083-023c97d3f4b6",
    "photo-1522364723953-452d3431c267", "photo-1513938709626-033611b8cc03", "photo-1507143550189-fed454f93097",
    "photo-1493976040374-85c8e12f0c0e", "photo-1504198453319-5ce911bafcde", "photo-1530122037265-a5f1f91d3b99",
    "photo-1516972810927-80185027ca84", "photo-1550439062-609e1531270e",     "photo-1549692520-acc6669e2f0c"};

std::vector<std::string> image_urls(int latency_ms) {
    std::vector<std::string> urls;
    for (const char* id : img_ids)
        urls.push_back(std::string("/images/") + id + ".png?latency_ms=" + std::to_string(latency_ms));
    return urls;
}

std::atomic<int> failures{0};

// requests.get(url).content; the body is dropped (the tutorial writes it to a file).
std::size_t download_image(const std::string& url) {
    threadlab::tasks::FetchResult response = threadlab::tasks::fetch(url);
    if (!response.ok) {
        if (failures++ == 0) std::fprintf(stderr, "\ndownload of %s failed: %s\n", url.c_str(), response.error.c_str());
        return 0;
    }
    return response.bytes.size();
}

double threadlab_download_threads(const std::vector<std::string>& urls) {
    return time_s([&] {
        std::vector<threadlab::Thread> threads;
        for (const auto& url : urls) {
            threads.emplace_back(download_image, url);
            threads.back().start();
        }
        for (auto& t : threads) t.join();
    });
}

double threadlab_download_pool(const std::vector<std::string>& urls, std::optional<int> workers) {
    return time_s([&] {
        threadlab::ThreadPoolExecutor executor{{.max_workers = workers}};
        executor.map(download_image, urls);
    });
}

double std_download_threads(const std::vector<std::string>& urls) {
    return time_s([&] {
        std::vector<std::thread> threads;
        for (const auto& url : urls) threads.emplace_back(download_image, url);
        for (auto& t : threads) t.join();
    });
}

double download_sequential(const std::vector<std::string>& urls) {
    return time_s([&] {
        for (const auto& url : urls) download_image(url);
    });
}

} // namespace

void tutorial_workloads(const Config& config) {
    const int rounds = config.quick ? 1 : 3;
    const double one_s = config.quick ? 0.05 : 1.0;
    run_group(config, "tutorial.sleep_10x1s", 1,
              {{"threadlab", [=] { return threadlab_sleepers(10, one_s); }}, {"std_thread", [=] { return std_sleepers(10, one_s); }}},
              false, rounds);
    const int many = config.quick ? 50 : 1000;
    const double tenth = config.quick ? 0.01 : 0.1;
    run_group(config, "tutorial.sleep_1000x100ms.threads", 1,
              {{"threadlab", [=] { return threadlab_sleepers(many, tenth); }},
               {"std_thread", [=] { return std_sleepers(many, tenth); }}},
              false, rounds);
    run_group(config, "tutorial.sleep_1000x100ms.pool32", 1,
              {{"threadlab", [=] { return threadlab_pool_sleeps(many, tenth, 32); }},
               {"asio_promise", [=] { return asio_pool_sleeps(many, tenth, 32); }}},
              false, rounds);

    if (config.server.empty()) {
        std::fprintf(stderr, "  tutorial.download_15x300ms: skipped (no --server)\n");
        return;
    }
    threadlab::tasks::set_base_url(config.server);
    const auto urls = image_urls(config.quick ? 30 : 300);
    download_sequential(urls); // warm: the server makes its images, curl loads its resolver
    run_group(config, "tutorial.download_15x300ms", 1,
              {{"threadlab_threads", [&] { return threadlab_download_threads(urls); }},
               {"threadlab_pool15", [&] { return threadlab_download_pool(urls, 15); }},
               {"threadlab_pool_default", [&] { return threadlab_download_pool(urls, std::nullopt); }},
               {"std_thread", [&] { return std_download_threads(urls); }}},
              false, config.quick ? 1 : 5);
    run_group(config, "tutorial.download_15x300ms.sequential", 1,
              {{"threadlab", [&] { return download_sequential(urls); }}}, false, config.quick ? 1 : 2);
    if (failures > 0) {
        std::fprintf(stderr, "%d downloads failed\n", failures.load());
        std::exit(1);
    }
}

} // namespace bench
