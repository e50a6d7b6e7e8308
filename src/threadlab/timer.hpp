// threadlab/timer.hpp - threading.Timer: run a function after `interval` seconds, unless cancelled.
#pragma once

#include "sync.hpp"
#include "thread.hpp"

#include <memory>

namespace threadlab {

// Timer t{2.5, fn, args...}; t.start(); ... t.cancel();  It is a Thread ("Thread-N"), so join(),
// is_alive() and the rest work on it too.
class Timer : public Thread {
public:
    template <class F, class... Args>
        requires std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>
    Timer(double interval, F&& function, Args&&... args)
        : Timer(interval, std::make_shared<Event>(),
                detail::bind_call(std::forward<F>(function), std::forward<Args>(args)...)) {}

    // Stop the timer if it is still waiting; the function will not run.
    void cancel() { finished_->set(); }

private:
    Timer(double interval, std::shared_ptr<Event> finished, std::unique_ptr<detail::Callable> call);
    std::shared_ptr<Event> finished_;
};

} // namespace threadlab
