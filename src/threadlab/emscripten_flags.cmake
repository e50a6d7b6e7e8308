# Emscripten flags for every object file and link of a program with Threadlab, by backend
# (THREADLAB_BACKEND). Directory-wide (add_*_options), for the top-level CMakeLists.txt and for
# bench/wasm's, because every object file of a pthreads program must be built with -pthread.

# Exceptions carry Python's errors (RuntimeError, TimeoutError, ...): Emscripten turns catching off
# by default. JS-based exceptions, not -fwasm-exceptions: Asyncify (sim) cannot unwind through
# wasm's try blocks.
add_compile_options(-fexceptions)
add_link_options(-fexceptions)
if(THREADLAB_BACKEND STREQUAL "os")
  add_compile_options(-pthread)
  add_link_options(-pthread)
else()
  # sim: no Workers and no SharedArrayBuffer. Fibers switch with Asyncify (emscripten/fiber.h).
  add_link_options(-sASYNCIFY=1)
endif()
