// The test runner. The thread running main() is the first to use Threadlab, so it is Python's
// MainThread (under wasm, with -sPROXY_TO_PTHREAD, main runs on a pthread and is still MainThread).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <threadlab/threadlab.hpp>

int main(int argc, char** argv) {
    threadlab::main_thread();
    doctest::Context context(argc, argv);
    return context.run();
}
