// The test runner. The thread running main() is the first to use Threadlab, so it is Python's
// MainThread (under wasm, with -sPROXY_TO_PTHREAD, main runs on a pthread and is still MainThread).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <threadlab/threadlab.hpp>

#include <cstdio>
#include <string_view>

namespace {

// Counts the test cases a run selected. ctest runs each case through a --test-case filter; a
// filter that matches nothing (a renamed case, or a name CMake split at ';') would otherwise pass.
size_t g_selected_cases = 0;

struct RunCounter : doctest::IReporter {
    explicit RunCounter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        g_selected_cases = stats.numTestCasesPassingFilters;
    }
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};
DOCTEST_REGISTER_LISTENER("run_counter", 1, RunCounter);

bool filters_by_test_case(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        for (std::string_view flag : {"--test-case=", "-tc=", "--dt-test-case=", "--dt-tc="})
            if (arg.substr(0, flag.size()) == flag) return true;
    }
    return false;
}

} // namespace

int main(int argc, char** argv) {
    threadlab::main_thread();
    doctest::Context context;
#ifdef __EMSCRIPTEN__
    // Under node, doctest takes a pipe for a terminal and colours its output, which breaks the
    // test list doctest_discover_tests reads. --no-colors=false on the command line still wins.
    context.setOption("no-colors", true);
#endif
    context.applyCommandLine(argc, argv);
    int result = context.run();
    if (result == 0 && !context.shouldExit() && filters_by_test_case(argc, argv) && g_selected_cases == 0) {
        std::fprintf(stderr, "no test case matches the --test-case filter\n");
        return 1;
    }
    return result;
}
