#include "code_listing.hpp"

#include "embedded_programs.hpp"
#include "example_programs.hpp"

#include <cmath>
#include <cstdio>

namespace playground {
namespace {

// A program's file as embedded at build time (C++, or its Python twin).
std::string example_source(const ExampleProgram& program, bool python) {
    const std::string name = std::string(program.file) + (python ? ".py" : ".cpp");
    const char* text = program_files::embedded_file(name.c_str());
    return text ? text : "";
}


std::string number(double value) {
    char text[32];
    if (value == std::floor(value)) std::snprintf(text, sizeof text, "%.0f", value);
    else std::snprintf(text, sizeof text, "%g", value);
    return text;
}

// Replaces every "{key}" in `text`.
std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [key, value] : values) {
        const std::string marker = "{" + key + "}";
        for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + value.size()))
            text.replace(at, marker.size(), value);
    }
    return text;
}

struct KindText {
    std::string cpp_task, py_task;       // the task function
    std::string cpp_arg, py_arg;         // one task's argument
    std::string cpp_args, py_args;       // the list of arguments, for map / loops
    std::string cpp_map_fn = "{fn}";     // what C++ map() calls (one argument per call)
    std::string cpp_ret, py_ret_print;   // how a returned result is printed
    std::string cpp_end, py_end;         // the final line
    std::string py_imports;
};

KindText kind_text(const Scenario& s, bool task_prints_done, const CpuNumbers& cpu) {
    KindText k;
    const std::string sec = number(s.seconds);
    switch (s.kind) {
    case TaskKind::sleep:
        k.py_imports = "import threading\nimport time\nimport concurrent.futures\n";
        k.cpp_task = std::string("std::string do_something(double seconds) {\n") +
                     "    println(\"Sleeping \", seconds, \" Second(s)...\");\n"
                     "    threadlab::sleep(seconds);\n" +
                     (task_prints_done ? "    println(\"Done Sleeping...\");\n" : "") +
                     "    return \"Done Sleeping...\";\n}\n";
        k.py_task = std::string("def do_something(seconds):\n") +
                    "    print(f'Sleeping {seconds} Second(s)...')\n"
                    "    time.sleep(seconds)\n" +
                    (task_prints_done ? "    print(f'Done Sleeping...')\n" : "") +
                    "    return 'Done Sleeping...'\n";
        k.cpp_arg = sec;
        k.py_arg = sec;
        k.cpp_args = "std::vector<double>(" + std::to_string(s.count) + ", " + sec + ")";
        k.py_args = "[" + sec + "] * " + std::to_string(s.count);
        k.cpp_ret = "println(result);";
        k.py_ret_print = "print(result)";
        k.cpp_end = "println(\"Successfully Executed in \", std::round((end - start) * 100) / 100,\n"
                    "        \" Second(s)\");";
        k.py_end = "print(f'Successfully Executed in {round(end-start,2)} Second(s)')";
        break;
    case TaskKind::fetch:
        k.py_imports = "import requests\nimport threading\nimport time\nimport concurrent.futures\n";
        k.cpp_task = "void download_image(std::string img_url) {\n"
                     "    // like requests.get(img_url).content, giving up after timeout_s\n"
                     "    tasks::FetchResult img_bytes = tasks::fetch(img_url, {.timeout_s = " + number(s.timeout_s) + "});\n"
                     "    auto img_name = image_name(img_url);\n"
                     "    if (!img_bytes.ok) {\n"
                     "        println(img_name, \" failed: \", img_bytes.error);\n"
                     "        return;\n"
                     "    }\n"
                     "    println(img_name, \" is downloaded...\");\n}\n";
        k.py_task = "def download_image(img_url):\n"
                    "    img_bytes = requests.get(img_url).content\n"
                    "    img_name = img_url.split('/')[-1].split('.')[0]\n"
                    "    print(f'{img_name} is downloaded...')\n";
        k.cpp_arg = "img_url";
        k.py_arg = "img_url";
        k.cpp_args = "img_urls";
        k.py_args = "img_urls";
        k.cpp_end = "println(\"Finished in \", t2 - t1, \" seconds\");";
        k.py_end = "print(f'Finished in {t2-t1} seconds')";
        break;
    case TaskKind::cpu:
        k.py_imports = "import threading\nimport time\nimport concurrent.futures\n";
        // The same block of numbers counted `repeats` times: trial division costs more the larger
        // the number, so every pass costing the same is what lets a task take its seconds.
        k.cpp_task = "bool is_prime(long long n) {\n"
                     "    if (n < 2) return false;\n"
                     "    if (n % 2 == 0) return n == 2;\n"
                     "    for (long long d = 3; d * d <= n; d += 2)\n"
                     "        if (n % d == 0) return false;\n"
                     "    return true;\n}\n\n"
                     "// One block of numbers, counted `repeats` times: trial division costs more the larger the\n"
                     "// number, so a task does the same work on every pass. " +
                     (cpu.measured ? "Sized on this machine to take " + number(s.seconds) + " s on one core.\n"
                                   : std::string("A nominal size: the playground sizes it for\n// its machine (") +
                                         number(s.seconds) + " s on one core) when it first runs.\n") +
                     "const long long first = " + std::to_string(cpu.first) + ", last = " + std::to_string(cpu.last) +
                     ";\nconst int repeats = " + std::to_string(cpu.repeats) + ";\n\n" +
                     "long long count_primes(long long first, long long last, int repeats) {\n" +
                     "    println(\"Counting primes from \", first, \" to \", last, \", \", repeats, \" times...\");\n"
                     "    long long found = 0;\n"
                     "    for (int r = 0; r < repeats; ++r) {\n"
                     "        found = 0;\n"
                     "        for (long long n = first; n < last; ++n) found += is_prime(n);\n"
                     "    }\n" +
                     (task_prints_done ? "    println(\"Found \", found, \" primes\");\n" : "") +
                     "    return found;\n}\n";
        k.py_task = "def is_prime(n):\n"
                    "    if n < 2:\n        return False\n"
                    "    if n % 2 == 0:\n        return n == 2\n"
                    "    d = 3\n"
                    "    while d * d <= n:\n"
                    "        if n % d == 0:\n            return False\n"
                    "        d += 2\n"
                    "    return True\n\n\n"
                    "first, last = " + std::to_string(cpu.first) + ", " + std::to_string(cpu.last) + "\n"
                    "repeats = " + std::to_string(cpu.repeats) + "\n\n\n" +
                    "def count_primes(first, last, repeats):\n" +
                    "    print(f'Counting primes from {first} to {last}, {repeats} times...')\n"
                    "    for _ in range(repeats):\n"
                    "        found = sum(is_prime(n) for n in range(first, last))\n" +
                    (task_prints_done ? "    print(f'Found {found} primes')\n" : "") +
                    "    return found\n";
        k.cpp_arg = "first, last, repeats";
        k.py_arg = "first, last, repeats";
        // Python's map takes one iterable per parameter; C++'s one range, so a lambda adapts.
        k.cpp_map_fn = "[](int) { return count_primes(first, last, repeats); }";
        k.cpp_args = "std::vector<int>(" + std::to_string(s.count) + ")";
        k.py_args = "[first] * " + std::to_string(s.count) + ", [last] * " + std::to_string(s.count) + ", [repeats] * " +
                    std::to_string(s.count);
        k.cpp_ret = "println(\"Found \", result, \" primes\");";
        k.py_ret_print = "print(f'Found {result} primes')";
        k.cpp_end = "println(\"Finished in \", t2 - t1, \" seconds\");";
        k.py_end = "print(f'Finished in {t2-t1} seconds')";
        break;
    case TaskKind::increment: {
        const std::string n = std::to_string(s.increments);
        const std::string total = std::to_string(static_cast<long long>(s.count) * s.increments);
        k.py_imports = "import threading\nimport time\nimport concurrent.futures\n";
        // shared<long> (shared.hpp): each load and store is indivisible (so the C++ is well-defined),
        // += is a load then a store - exactly the race of Python's counter += 1.
        k.cpp_task = std::string("shared<long> counter{0};  // shared by every thread\n") +
                     (s.lock ? "Lock lock;\n" : "") +
                     "\nvoid increment(int times) {\n"
                     "    for (int i = 0; i < times; ++i) {\n" +
                     (s.lock ? "        std::lock_guard<Lock> with_lock(lock);  // with lock:\n"
                               "        counter += 1;  // read, add, write\n"
                             : "        counter += 1;  // read, add, write: not one step\n") +
                     "    }\n}\n";
        k.py_task = std::string("counter = 0  # shared by every thread\n") + (s.lock ? "lock = threading.Lock()\n" : "") +
                    "\ndef increment(times):\n"
                    "    global counter\n"
                    "    for _ in range(times):\n" +
                    (s.lock ? "        with lock:\n            counter += 1  # read, add, write\n"
                            : "        counter += 1  # read, add, write: not one step\n");
        k.cpp_arg = n;
        k.py_arg = n;
        k.cpp_args = "std::vector<int>(" + std::to_string(s.count) + ", " + n + ")";
        k.py_args = "[" + n + "] * " + std::to_string(s.count);
        k.cpp_end = "println(\"expected " + total + ", got \", counter, \" (\", " + total +
                    " - counter, \" updates lost)\");\n    println(\"Finished in \", t2 - t1, \" seconds\");";
        k.py_end = "print(f'expected " + total + ", got {counter} ({" + total +
                   " - counter} updates lost)')\nprint(f'Finished in {t2-t1} seconds')";
        break;
    }
    }
    return k;
}

// limit=N: the task's body runs inside `with sem:` of a BoundedSemaphore(N) declared above it.
void limit_task(KindText& k, int limit) {
    const std::string n = std::to_string(limit);
    // C++: the declaration before the function, the guard as the body's first line.
    const size_t def = k.cpp_task.find(") {\n");
    const size_t line = k.cpp_task.rfind('\n', def) == std::string::npos ? 0 : k.cpp_task.rfind('\n', def) + 1;
    const size_t body = def + 4;
    k.cpp_task = k.cpp_task.substr(0, line) + "BoundedSemaphore sem{" + n + "};  // at most " + n + " at once\n\n" +
                 k.cpp_task.substr(line, body - line) +
                 "    std::lock_guard<BoundedSemaphore> with_sem(sem);  // with sem:\n" + k.cpp_task.substr(body);
    // Python: the declaration before the def, and the body indented under `with sem:`.
    const size_t py_def = k.py_task.find("def ");
    std::string py = k.py_task.substr(0, py_def) + "sem = threading.BoundedSemaphore(" + n + ")  # at most " + n +
                     " at once\n\n";
    size_t at = k.py_task.find('\n', py_def) + 1;
    py += k.py_task.substr(py_def, at - py_def);
    if (k.py_task.compare(at, 11, "    global ") == 0) { // `global counter` stays the function's first line
        const size_t next = k.py_task.find('\n', at) + 1;
        py += k.py_task.substr(at, next - at);
        at = next;
    }
    py += "    with sem:\n";
    while (at < k.py_task.size()) {
        const size_t end = k.py_task.find('\n', at);
        const size_t next = end == std::string::npos ? k.py_task.size() : end + 1;
        py += "    " + k.py_task.substr(at, next - at);
        at = next;
    }
    k.py_task = py;
}

} // namespace

CodeListing code_listing(const Scenario& s, const CpuNumbers& cpu) {
    if (const ExampleProgram* program = find_example_program(s.program))
        return {example_source(*program, false), example_source(*program, true)}; // the files, as they run
    const bool task_prints_done = s.mode == RunMode::threads || s.mode == RunMode::sequential;
    KindText k = kind_text(s, task_prints_done, cpu);
    if (s.limit > 0) limit_task(k, s.limit);
    const char* fn = s.kind == TaskKind::sleep ? "do_something"
                     : s.kind == TaskKind::fetch ? "download_image"
                     : s.kind == TaskKind::cpu ? "count_primes" : "increment";
    const bool fetch = s.kind == TaskKind::fetch;
    const bool returns = s.kind == TaskKind::sleep || s.kind == TaskKind::cpu;
    const std::string start = s.kind == TaskKind::sleep ? "start" : "t1";
    const std::string end = s.kind == TaskKind::sleep ? "end" : "t2";

    std::vector<std::pair<std::string, std::string>> v = {
        {"fn", fn}, {"n", std::to_string(s.count)}, {"w", std::to_string(s.workers)},
        {"arg", k.cpp_arg}, {"args", k.cpp_args}, {"start", start}, {"end", end},
    };
    std::string loop_cpp = fetch ? "for (const auto& img_url : img_urls)" : "for (int i = 0; i < {n}; ++i)";
    std::string loop_py = fetch ? "for img_url in img_urls:" : "for _ in range({n}):";

    std::string cpp = "#include <threadlab/threadlab.hpp>\n";
    if (s.kind == TaskKind::sleep) cpp += "\n#include <cmath>  // std::round\n";
    if (s.kind == TaskKind::increment) cpp += "\n#include <atomic>\n#include <mutex>  // std::lock_guard\n";
    if (fetch) cpp += "#include \"tasks/fetch.hpp\"  // tasks::fetch: an HTTP GET (libcurl; in the browser, XMLHttpRequest)\n";
    cpp += "\nusing namespace threadlab;\n\n";
    // The very URLs the run fetches (relative ones against the page, or the desktop's --server).
    std::string cpp_urls, py_urls;
    if (fetch) {
        for (const std::string& url : fetch_urls(s)) {
            cpp_urls += "    \"" + url + "\",\n";
            py_urls += "    '" + url + "',\n";
        }
        cpp += "std::vector<std::string> img_urls = {\n" + cpp_urls + "};\n\n"
               "// img_url.split('/')[-1].split('.')[0]: the file's name without its extension\n"
               "std::string image_name(const std::string& img_url) {\n"
               "    std::string name = img_url.substr(0, img_url.find_first_of(\"?#\"));\n"
               "    name = name.substr(name.find_last_of('/') + 1);\n"
               "    return name.substr(0, name.find_last_of('.'));\n}\n\n";
    }
    cpp += k.cpp_task + "\nint main() {\n    double {start} = perf_counter();\n";
    std::string py = k.py_imports + "\n";
    if (fetch) py += "img_urls = [\n" + py_urls + "]\n\n";
    py += "{start} = time.perf_counter()\n\n" + k.py_task + "\n";

    switch (s.mode) {
    case RunMode::threads:
        cpp += "    std::vector<Thread> threads;\n    " + loop_cpp + " {\n"
               "        Thread t{THREADLAB_TARGET({fn}), " + k.cpp_arg + "};\n"
               "        t.start();\n        threads.push_back(t);\n    }\n"
               "    for (auto& thread : threads) thread.join();\n";
        py += "threads = []\n\n" + loop_py + "\n"
              "    t = threading.Thread(target={fn}, args=[" + k.py_arg + "])\n"
              "    t.start()\n    threads.append(t)\n\n"
              "for thread in threads:\n    thread.join()\n";
        break;
    case RunMode::pool:
        cpp += "    {\n        ThreadPoolExecutor executor{{.max_workers = {w}}};\n"
               "        std::vector<Future<" + std::string(!returns ? "void" : s.kind == TaskKind::sleep ? "std::string" : "long long") + ">> futures;\n"
               "        " + loop_cpp + "\n"
               "            futures.push_back(executor.submit({fn}, " + k.cpp_arg + "));\n"
               "        for (auto& f : as_completed(futures)) {\n" +
               (returns ? "            auto result = f.result();\n            " + k.cpp_ret + "\n" : "            f.result();\n") +
               "        }\n    }  // ~ThreadPoolExecutor() = shutdown(wait=true)\n";
        py += "with concurrent.futures.ThreadPoolExecutor(max_workers={w}) as executor:\n"
              "    futures = [executor.submit({fn}, " + k.py_arg + ") " + (fetch ? "for img_url in img_urls]\n" : "for _ in range({n})]\n") +
              "    for f in concurrent.futures.as_completed(futures):\n" +
              (returns ? "        result = f.result()\n        " + k.py_ret_print + "\n" : "        f.result()\n");
        break;
    case RunMode::map:
        cpp += "    {\n        ThreadPoolExecutor executor{{.max_workers = {w}}};\n"
               "        for (auto&& result : executor.map(" + k.cpp_map_fn + ", {args}))\n" +
               std::string(returns ? "            " + k.cpp_ret + "\n" : "            ;\n") +
               "    }  // ~ThreadPoolExecutor() = shutdown(wait=true)\n";
        py += "with concurrent.futures.ThreadPoolExecutor(max_workers={w}) as executor:\n" +
              std::string(returns ? "    for result in executor.map({fn}, " + k.py_args + "):\n        " + k.py_ret_print + "\n"
                                  : "    executor.map({fn}, " + k.py_args + ")\n");
        break;
    case RunMode::sequential:
        cpp += "    " + loop_cpp + "\n        {fn}(" + k.cpp_arg + ");\n";
        py += loop_py + "\n    {fn}(" + k.py_arg + ")\n";
        break;
    }
    cpp += "\n    double {end} = perf_counter();\n    " + k.cpp_end + "\n}\n";
    py += "\n{end} = time.perf_counter()\n\n" + k.py_end + "\n";
    // Fill the C++ first (its argument names), then the Python (its own names).
    CodeListing listing;
    listing.cpp = fill(cpp, v);
    v[3].second = k.py_arg;
    v[4].second = k.py_args;
    listing.python = fill(py, v);
    return listing;
}

} // namespace playground
