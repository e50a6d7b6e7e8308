// Interruptible waits: how a DeadlockDetector with break_cycles ends the waits of a cycle.
#include "errors.hpp"
#include "internal.hpp"

#include <unordered_map>

namespace threadlab::detail {
namespace {
struct Registry {
    detail::Mutex mutex;
    std::unordered_map<std::uint32_t, InterruptibleWait*> waits; // thread serial -> its wait now
};
Registry& registry() {
    static Registry* r = new Registry; // never destroyed: threads may wait during exit
    return *r;
}
// NoInterrupts scopes open on this thread.
THREADLAB_PER_THREAD(int, no_interrupts)
} // namespace

InterruptibleWait::InterruptibleWait(detail::CondVar& cv, detail::Mutex& mutex) : cv_(&cv), mutex_(&mutex) {
    if (!interrupts_possible() || no_interrupts() > 0) return;
    serial_ = current_thread_serial();
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto [slot, added] = r.waits.try_emplace(serial_, this);
    if (!added) {
        previous_ = slot->second;
        slot->second = this;
    }
    registered_ = true;
}

InterruptibleWait::~InterruptibleWait() {
    if (!registered_) return;
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    if (previous_)
        r.waits[serial_] = previous_;
    else
        r.waits.erase(serial_);
}

void InterruptibleWait::throw_if_interrupted() const {
    if (interrupted()) throw DeadlockError(message_);
}

NoInterrupts::NoInterrupts() { ++no_interrupts(); }
NoInterrupts::~NoInterrupts() { --no_interrupts(); }

bool interrupt(std::uint32_t serial, const std::string& message) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex); // the wait stays registered (alive) until this is released
    auto found = r.waits.find(serial);
    if (found == r.waits.end()) return false;
    InterruptibleWait& wait = *found->second;
    if (!wait.flag_.load(std::memory_order_relaxed)) {
        wait.message_ = message;
        // Under the wait's mutex: the waiter is either before its predicate check (and sees the
        // flag) or asleep (and gets the notification).
        std::lock_guard wait_lock(*wait.mutex_);
        wait.flag_.store(true, std::memory_order_release);
    }
    wait.cv_->notify_all();
    return true;
}
} // namespace threadlab::detail
