// The test runner. The thread running main() is the first to use Threadlab, so it is Python's
// MainThread (under wasm, with -sPROXY_TO_PTHREAD, main runs on a pthread and is still MainThread).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <threadlab/threadlab.hpp>

int main(int argc, char** argv) {
    threadlab::main_thread();
    doctest::Context context;
#ifdef __EMSCRIPTEN__
    // Under node, doctest takes a pipe for a terminal and colours its output, which breaks the
    // test list doctest_discover_tests reads. --no-colors=false on the command line still wins.
    context.setOption("no-colors", true);
#endif
    context.applyCommandLine(argc, argv);
    return context.run();
}
