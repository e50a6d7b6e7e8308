// Allocation failures on demand (testing::FailAllocation): the test binary replaces the global
// operator new and delete - every form but the over-aligned ones, which keep the default pair -
// with malloc and free plus a per-thread countdown. Replacing both halves keeps the sanitizers'
// new/delete pairing consistent.
#include "helpers.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local int allocations_until_failure = -1; // -1: never fail

void* allocate(std::size_t size) {
    if (allocations_until_failure >= 0 && allocations_until_failure-- == 0) throw std::bad_alloc();
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void* allocate_or_null(std::size_t size) noexcept {
    try {
        return allocate(size);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
} // namespace

namespace testing {
FailAllocation::FailAllocation(int n) { allocations_until_failure = n; }
FailAllocation::~FailAllocation() { allocations_until_failure = -1; }
} // namespace testing

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate_or_null(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate_or_null(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
