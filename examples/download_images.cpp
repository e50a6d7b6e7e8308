// Tutorial: "Real life Example of Threading": download 15 images with a ThreadPoolExecutor.
//
//   def download_image(img_url):
//       img_bytes = requests.get(img_url).content
//       img_name = img_url.split('/')[3]
//       img_name = f'{img_name}.jpg'
//       with open(img_name, 'wb') as img_file:
//           img_file.write(img_bytes)
//           print(f'{img_name} is downloaded...')
//   with concurrent.futures.ThreadPoolExecutor() as executor:
//       executor.map(download_image, img_urls)
//   print(f'Finished in {t2-t1} seconds')
//
// There is no internet here: the 15 photos come from serve.py's simulated internet
// (/images/<name>.png), each answered after --latency-ms (default 300 ms), as a slow server would.
//
//   ./serve.py --no-build &                   # or any running serve.py
//   build/native/examples/download_images [--server http://127.0.0.1:8000] [--latency-ms 300]
//                                             [--out downloads] [--workers N]
//
// Lines print as the tutorial's output shows them ("photo-... is downloaded..."); files are saved
// as <name>.jpg in --out, as the tutorial names them. A failed download prints why instead of
// being lost silently (Python's executor.map would drop the exception unless its results were read).
#include <threadlab/threadlab.hpp>

#include "tasks/fetch.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace threadlab;

static const char* const img_ids[] = {
    "photo-1516117172878-fd2c41f4a759", "photo-1532009324734-20a7a5813719", "photo-1524429656589-6633a470097c",
    "photo-1530224264768-7ff8c1789d79", "photo-1564135624576-c5c88640f235", "photo-1541698444083-023c97d3f4b6",
    "photo-1522364723953-452d3431c267", "photo-1513938709626-033611b8cc03", "photo-1507143550189-fed454f93097",
    "photo-1493976040374-85c8e12f0c0e", "photo-1504198453319-5ce911bafcde", "photo-1530122037265-a5f1f91d3b99",
    "photo-1516972810927-80185027ca84", "photo-1550439062-609e1531270e",     "photo-1549692520-acc6669e2f0c"};

static std::filesystem::path out_dir = "downloads";

// img_url.split('/')[3] in the tutorial: here the last path segment, without ".png" and the query.
static std::string image_name(const std::string& img_url) {
    std::string path = img_url.substr(0, img_url.find('?'));
    std::string name = path.substr(path.rfind('/') + 1);
    if (name.size() > 4 && name.ends_with(".png")) name.resize(name.size() - 4);
    return name;
}

void download_image(const std::string& img_url) {
    tasks::FetchResult response = tasks::fetch(img_url);
    std::string img_name = image_name(img_url);
    if (!response.ok) {
        println(img_name, " failed: ", response.error);
        return;
    }
    std::ofstream img_file(out_dir / (img_name + ".jpg"), std::ios::binary);
    img_file.write(reinterpret_cast<const char*>(response.bytes.data()), static_cast<std::streamsize>(response.bytes.size()));
    println(img_name, " is downloaded...");
}

int main(int argc, char** argv) {
    int latency_ms = 300;
    std::optional<int> workers;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        if (arg == "--server" && value) tasks::set_base_url(argv[++i]);
        else if (arg == "--latency-ms" && value) latency_ms = std::atoi(argv[++i]);
        else if (arg == "--out" && value) out_dir = argv[++i];
        else if (arg == "--workers" && value) workers = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: %s [--server URL] [--latency-ms N] [--out DIR] [--workers N]\n", argv[0]);
            return 2;
        }
    }
    if (latency_ms < 0 || latency_ms > 60000 || (workers && *workers < 1)) {
        std::fprintf(stderr, "--latency-ms must be 0..60000 and --workers at least 1\n");
        return 2;
    }
    std::filesystem::create_directories(out_dir);

    std::vector<std::string> img_urls;
    for (const char* id : img_ids) img_urls.push_back(str("/images/", id, ".png?latency_ms=", latency_ms));

    double t1 = perf_counter();
    {
        ThreadPoolExecutor executor{{.max_workers = workers}};
        executor.map(download_image, img_urls);
    } // leaving the `with` block waits for every download
    double t2 = perf_counter();

    println("Finished in ", t2 - t1, " seconds");
}
