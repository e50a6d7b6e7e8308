// The sim backend (platform.hpp, sim.hpp): fibers on one OS thread and a seeded scheduler.
//
// A fiber runs until it parks (a wait, a contended internal mutex, a sleep) or reaches a
// scheduling point (yield); then the scheduler draws the next fiber from the runnable ones with
// a mt19937_64 seeded by THREADLAB_SEED (its output is fixed by the standard, so a seed means the
// same choices on every platform). Nothing else switches, so a run is a pure function of its seed
// under the virtual clock. Timers: a parked fiber may have a deadline; the earliest is fired when
// nothing else can run (virtual clock: time jumps to it; wall clock: the OS thread sleeps).
//
// Fibers natively are ucontext contexts (glibc) on mmap'd stacks with a guard page; under ASan and
// TSan the switches are announced to the sanitizer, so the sim suite runs clean under both. In the
// browser (wasm-sim) they are Emscripten fibers: a switch unwinds the wasm stack with Asyncify and
// rewinds the other fiber's, on the page's one thread, with no SharedArrayBuffer.
#include "sim.hpp"

#include "deadlock.hpp"
#include "errors.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <unistd.h>

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#include <emscripten/fiber.h>
#else
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define THREADLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define THREADLAB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define THREADLAB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define THREADLAB_TSAN 1
#endif
#endif

#ifdef THREADLAB_ASAN
extern "C" void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size);
extern "C" void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old, size_t* size_old);
extern "C" void __asan_unpoison_memory_region(void const volatile* addr, size_t size);
#endif
#ifdef THREADLAB_TSAN
extern "C" void* __tsan_get_current_fiber();
extern "C" void* __tsan_create_fiber(unsigned flags);
extern "C" void __tsan_destroy_fiber(void* fiber);
extern "C" void __tsan_switch_to_fiber(void* fiber, unsigned flags);
#endif

namespace threadlab {
namespace detail::sim {

struct LocalSlot {
    const void* key;
    void* value;
    void (*destroy)(void*);
};

struct Fiber {
    enum class State { runnable, running, blocked, finished };
    std::uint64_t id = 0;
    State state = State::runnable;
#ifdef __EMSCRIPTEN__
    emscripten_fiber_t context{};
#else
    ucontext_t context{};
#endif
    void* stack = nullptr; // see allocate_stack(); none for the main fiber (the OS stack)
    std::size_t stack_size = 0;
    std::function<void()> body;
    // While parked: the list it is on (a timeout takes it off) and its deadline, if any.
    WaitList* parked_on = nullptr;
    bool has_deadline = false;
    bool timed_out = false;
    Clock::time_point deadline{};
    WaitList joiners;
    bool released = false; // joined or detached: deleted once its stack is gone
    std::vector<LocalSlot> locals;
    std::string label; // the Thread's name
    WaitNote* note = nullptr; // what it waits for, if it said (a Lock, a thread's end)
    std::uint64_t pool = 0;   // a pool worker's pool (set_pool)
#ifdef THREADLAB_ASAN
    void* fake_stack = nullptr;
    const void* asan_bottom = nullptr;
    std::size_t asan_size = 0;
#endif
#ifdef THREADLAB_TSAN
    void* tsan_fiber = nullptr;
#endif
};

namespace {
#ifdef __EMSCRIPTEN__
// One malloc'd block per fiber: Asyncify's save area (the locals of every frame a switch unwinds),
// then the C stack (only address-taken locals live there; wasm keeps the rest itself). 1000
// sleeping threads take 160 MiB.
constexpr std::size_t kAsyncifySize = 32 << 10;
constexpr std::size_t kStackSize = 160 << 10;
alignas(16) char main_asyncify_area[256 << 10]; // the main fiber's: its stack is the deepest
#elif defined(THREADLAB_ASAN) || defined(THREADLAB_TSAN)
constexpr std::size_t kStackSize = 4 << 20; // sanitizers keep more on the stack; pages are committed when touched
#else
constexpr std::size_t kStackSize = 1 << 20;
#endif
constexpr Clock::duration kVirtualTick = std::chrono::microseconds(1);

// One choice of who runs next under systematic exploration: how many threads could run, whether
// one of them was the thread running (it could go on: taking another is a preemption), and which
// was taken (0: that thread if it could go on, else the first runnable; then the others, in the
// order they became runnable).
struct Decision {
    std::uint32_t alternatives = 0;
    std::uint32_t preemptive = 0;
    std::uint32_t taken = 0;
};

// "3:1,9:2" (decision 3 takes alternative 1, decision 9 alternative 2; every other decision 0):
// the decisions, sorted, or nullopt if the text is not such a list.
std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>> parse_schedule(const std::string& text) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> forced;
    std::size_t at = 0;
    auto number = [&](std::uint32_t& value) {
        const std::size_t first = at;
        unsigned long long read = 0;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) && read <= UINT32_MAX)
            read = read * 10 + static_cast<unsigned>(text[at++] - '0');
        value = static_cast<std::uint32_t>(read);
        return at > first && read <= UINT32_MAX;
    };
    long long last = -1;
    while (at < text.size()) {
        std::uint32_t decision = 0, alternative = 0;
        if (at > 0 && text[at++] != ',') return std::nullopt;
        if (!number(decision) || at == text.size() || text[at++] != ':' || !number(alternative)) return std::nullopt;
        if (decision <= last) return std::nullopt; // in order, each once
        last = decision;
        if (alternative > 0) forced.emplace_back(decision, alternative);
    }
    return forced;
}

#ifndef __EMSCRIPTEN__ // explore_schedules forks, natively only
std::string schedule_text(const std::vector<Decision>& decisions) {
    std::string text;
    for (std::size_t k = 0; k < decisions.size(); ++k)
        if (decisions[k].taken > 0)
            text += (text.empty() ? "" : ",") + std::to_string(k) + ":" + std::to_string(decisions[k].taken);
    return text;
}
#endif

std::uint64_t env_seed() {
    const char* text = std::getenv("THREADLAB_SEED");
    if (!text || !*text) return 1;
    char* end = nullptr;
    unsigned long long value = std::strtoull(text, &end, 10);
    if (*end != '\0') {
        std::fprintf(stderr, "threadlab: THREADLAB_SEED=%s is not a number; using seed 1\n", text);
        return 1;
    }
    return value;
}

bool env_virtual_clock() {
    const char* text = std::getenv("THREADLAB_CLOCK");
    if (!text || !*text || std::strcmp(text, "wall") == 0) return false;
    if (std::strcmp(text, "virtual") == 0) return true;
    std::fprintf(stderr, "threadlab: THREADLAB_CLOCK=%s is neither wall nor virtual; using wall\n", text);
    return false;
}

Clock::time_point wall_now() {
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

struct Scheduler {
#ifndef __EMSCRIPTEN__
    pthread_t os_thread = pthread_self();
#endif
    Fiber main;
    Fiber* current = &main;
    std::vector<Fiber*> alive{&main}; // every fiber not finished, oldest first
    std::vector<Fiber*> runnable;     // in the order they became runnable
    std::vector<Fiber*> timed;        // parked with a deadline, in the order they parked
    std::vector<Fiber*> finished;     // stacks to free once another fiber runs
    std::uint64_t seed = env_seed();
    std::mt19937_64 rng{seed};
    bool virtual_clock = env_virtual_clock();
    Clock::time_point virtual_now = wall_now();
    Clock::duration wall_offset{0}; // keeps Clock monotonic after a switch from virtual to wall time
    std::uint64_t next_id = 1;
    std::uint64_t switches = 0;
    // Hosted (run_for): the main fiber is a host, a page's frame loop, not one of the program's
    // threads. It never yields; the others run only inside run_for, which returns when none can
    // run or at host_until (wall time), so the page draws its frames.
    bool hosted = false;
    bool host_waiting = false;
    Clock::time_point host_until{};
    int external_waits = 0; // ExternalWaits begun and not done: their threads will be woken
#ifndef __EMSCRIPTEN__
    // Natively, what ends them (set_external_poller), and when it last ran.
    std::function<void(std::optional<std::chrono::nanoseconds>)> poll_external;
    Clock::time_point last_poll{};
#endif
    // set_quantum: a thread goes on through a run of scheduling points (drawn, mean `quantum`)
    // before the next draw of who runs; `run_left` is what is left of the current run.
    std::uint64_t quantum = 1;
    std::uint64_t run_left = 0;
    // Step mode: every choice of who runs next is the host's (step()); `chosen` is its choice.
    bool stepping = false;
    Fiber* chosen = nullptr;
    // Systematic mode (explore_schedules, follow_schedule): no draws. Every choice among two or
    // more runnable threads is a decision, numbered from the mode's start; `forced` fixes some of
    // them (decision, alternative), sorted, and the rest take alternative 0 (see decide()).
    bool systematic = false;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> forced;
    std::size_t forced_next = 0;
    std::uint32_t decision_count = 0;
    bool diverged = false; // a forced alternative that did not exist: the program is not deterministic
    // In an explorer's child process: where its decisions and outcome go (explore_schedules).
    int explorer_fd = -1;
    std::vector<Decision> decisions;

    Scheduler() {
        if (const char* text = std::getenv("THREADLAB_SCHEDULE"); text && *text) {
            if (auto parsed = parse_schedule(text)) {
                systematic = true;
                forced = std::move(*parsed);
            } else {
                std::fprintf(stderr, "threadlab: THREADLAB_SCHEDULE=%s is not a list such as 3:1,9:2; using the seed\n", text);
            }
        }
        main.id = next_id++;
        main.state = Fiber::State::running;
#ifdef __EMSCRIPTEN__
        emscripten_fiber_init_from_current_context(&main.context, main_asyncify_area, sizeof main_asyncify_area);
#endif
#ifdef THREADLAB_TSAN
        main.tsan_fiber = __tsan_get_current_fiber();
#endif
    }
};

Scheduler& scheduler() {
    static Scheduler* s = new Scheduler; // never destroyed: fibers may run while the program exits
    return *s;
}

Scheduler& on_scheduler_thread() {
    Scheduler& s = scheduler();
#ifndef __EMSCRIPTEN__ // the page has one thread
    if (!pthread_equal(s.os_thread, pthread_self())) {
        std::fputs("threadlab (sim backend): called from an OS thread it did not start; every Threadlab thread "
                   "is a fiber of the first thread that used the library\n",
                   stderr);
        std::abort();
    }
#endif
    return s;
}

void remove(std::vector<Fiber*>& list, Fiber* fiber) {
    auto found = std::find(list.begin(), list.end(), fiber);
    if (found != list.end()) list.erase(found);
}

void make_runnable(Scheduler& s, Fiber* fiber) {
    if (fiber->has_deadline) remove(s.timed, fiber);
    fiber->has_deadline = false;
    fiber->parked_on = nullptr;
    fiber->state = Fiber::State::runnable;
    s.runnable.push_back(fiber);
}

// Wake every parked fiber whose deadline has come, in the order they parked.
void fire_timers(Scheduler& s, Clock::time_point now) {
    for (std::size_t i = 0; i < s.timed.size();) {
        Fiber* fiber = s.timed[i];
        if (fiber->deadline > now) {
            ++i;
            continue;
        }
        if (fiber->parked_on) remove(*fiber->parked_on, fiber);
        fiber->timed_out = true;
        make_runnable(s, fiber); // takes it off s.timed
    }
}

std::string display(const Fiber& fiber) { return fiber.label.empty() ? "fiber " + std::to_string(fiber.id) : fiber.label; }

// A cycle among the sleeping fibers' waits, in the deadlock detector's words ("" if none): each
// waits for at most one fiber, the holder of its Lock or RLock, the thread it joins, the one
// running the task whose result it waits for, or - the task still queued - a worker of its pool
// (another one first: every worker is asleep, so any of them stands for the pool).
std::string wait_for_cycle(const Scheduler& s) {
    auto worker_of = [&](std::uint64_t pool, const Fiber* waiter) -> const Fiber* {
        const Fiber* found = nullptr;
        for (const Fiber* other : s.alive)
            if (other->pool == pool && (!found || found == waiter)) found = other;
        return found;
    };
    auto next_of = [&](const Fiber* fiber) -> const Fiber* {
        if (!fiber->note) return nullptr;
        if (*fiber->note->waits_for == 0)
            return fiber->note->queued_on ? worker_of(fiber->note->queued_on, fiber) : nullptr;
        for (const Fiber* other : s.alive)
            if (other->id == *fiber->note->waits_for) return other;
        return nullptr;
    };
    for (const Fiber* start : s.alive) {
        std::vector<const Fiber*> path;
        const Fiber* fiber = start;
        while (fiber && std::find(path.begin(), path.end(), fiber) == path.end()) {
            path.push_back(fiber);
            fiber = next_of(fiber);
        }
        if (!fiber) continue;
        std::vector<const Fiber*> cycle(std::find(path.begin(), path.end(), fiber), path.end());
        std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end(), [](auto* a, auto* b) { return a->id < b->id; }),
                    cycle.end()); // the oldest thread first, as the detector does
        std::vector<detail::WaitForLink> links;
        for (const Fiber* member : cycle) {
            const WaitNote& note = *member->note;
            const bool queued = *note.waits_for == 0;
            links.push_back({member->id, display(*member), note.kind, note.object, std::string(note.name),
                             next_of(member)->id, queued ? note.queued_on : 0, queued && member->pool == note.queued_on});
        }
        return detail::deadlock_message(links);
    }
    return {};
}

#ifndef __EMSCRIPTEN__
bool write_all(int fd, const void* data, std::size_t size) {
    const char* at = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t wrote = ::write(fd, at, size);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote <= 0) return false;
        at += wrote;
        size -= static_cast<std::size_t>(wrote);
    }
    return true;
}
#endif

// An explorer's child ends its run: its decisions, then the outcome, to the explorer
// (explore_schedules reads them), and exit.
[[noreturn]] void report_to_explorer([[maybe_unused]] Scheduler& s, [[maybe_unused]] const std::string& outcome, int status) {
#ifndef __EMSCRIPTEN__
    const std::uint32_t counts[] = {static_cast<std::uint32_t>(s.decisions.size()), static_cast<std::uint32_t>(outcome.size()),
                                    s.diverged ? 1u : 0u};
    if (!write_all(s.explorer_fd, counts, sizeof counts) ||
        !write_all(s.explorer_fd, s.decisions.data(), s.decisions.size() * sizeof(Decision)) ||
        !write_all(s.explorer_fd, outcome.data(), outcome.size()))
        status = 70;
#endif
    std::_Exit(status);
}

[[noreturn]] void all_asleep(Scheduler& s) {
    std::string names;
    for (Fiber* fiber : s.alive) names += (names.empty() ? "" : ", ") + display(*fiber);
    std::string text = "Deadlock: all threads are asleep: " + names +
                       " wait, and no timeout is pending that could wake one of them\n";
    if (std::string cycle = wait_for_cycle(s); !cycle.empty()) text = cycle + "\n" + text;
    if (s.explorer_fd >= 0) report_to_explorer(s, text, 3);
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
    std::_Exit(3);
}

#ifdef __EMSCRIPTEN__
// Node may block its main thread (Atomics.wait); a page may not. Synchronous where it can be: a
// program's exit (atexit joins its threads) cannot wait for the event loop.
EM_JS(int, sleep_blocking_ms, (double ms), {
    try {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
        return 1;
    } catch (e) {
        return 0;
    }
});

// Emscripten 3.1.6 holds the runtime alive for every Asyncify unwind and lets go when that stack
// is rewound; a new fiber's first entry rewinds nothing, so its hold would keep the runtime alive
// for good, and exit() would skip the atexit handlers (which join non-daemon threads).
EM_JS(void, release_first_entry_hold, (), {
    if (runtimeKeepaliveCounter > 0) runtimeKeepaliveCounter -= 1;
});
#endif

void sleep_until_wall([[maybe_unused]] Scheduler& s, Clock::time_point until) {
#ifdef __EMSCRIPTEN__
    const auto wait = until - Clock::now();
    if (wait <= Clock::duration::zero()) return;
    const double ms = std::chrono::duration<double, std::milli>(wait).count();
    // In a page: back to the browser's event loop until then (Asyncify), so the page stays live.
    if (!sleep_blocking_ms(ms)) emscripten_sleep(static_cast<unsigned>(std::ceil(ms)));
#else
    std::this_thread::sleep_until(std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>((until - s.wall_offset).time_since_epoch())));
#endif
}

Clock::time_point earliest_deadline(const Scheduler& s) {
    Clock::time_point earliest = s.timed.front()->deadline;
    for (Fiber* fiber : s.timed) earliest = std::min(earliest, fiber->deadline);
    return earliest;
}

// Systematic mode's choice among two or more runnable fibers: the forced alternative if this
// decision has one, else alternative 0, so that a schedule is its few forced decisions.
Fiber* decide(Scheduler& s) {
    std::vector<Fiber*> order; // the alternatives: the running fiber first if it can go on
    const bool can_go_on = std::find(s.runnable.begin(), s.runnable.end(), s.current) != s.runnable.end();
    if (can_go_on) order.push_back(s.current);
    for (Fiber* fiber : s.runnable)
        if (fiber != s.current) order.push_back(fiber);
    std::uint32_t taken = 0;
    const std::uint32_t decision = s.decision_count++;
    if (s.forced_next < s.forced.size() && s.forced[s.forced_next].first == decision) {
        taken = s.forced[s.forced_next++].second;
        if (taken >= order.size()) {
            s.diverged = true;
            taken = static_cast<std::uint32_t>(order.size() - 1);
        }
    }
    if (s.explorer_fd >= 0)
        s.decisions.push_back(Decision{static_cast<std::uint32_t>(order.size()), can_go_on ? 1u : 0u, taken});
    return order[taken];
}

// The next fiber to run: a seeded draw among the runnable ones (systematic mode: decide()). When none is runnable, fire the
// earliest timer (virtual clock: time jumps; wall clock: the OS thread sleeps until it). A waiting
// host takes no draw: the program's choices are the same whenever the page draws its frames.
Fiber* pick(Scheduler& s) {
    for (;;) {
#ifndef __EMSCRIPTEN__
        // Downloads go on while threads run: their poller takes a look at most once a millisecond.
        if (s.external_waits > 0 && s.poll_external && wall_now() - s.last_poll >= std::chrono::milliseconds(1)) {
            s.poll_external(std::chrono::nanoseconds::zero());
            s.last_poll = wall_now();
        }
#endif
        fire_timers(s, Clock::now());
        if (s.host_waiting) {
            if (Fiber* next = s.chosen) { // step(): the host chose
                s.chosen = nullptr;
                remove(s.runnable, next);
                return next;
            }
            const bool idle = s.runnable.empty();
            if (s.stepping && !idle) { // a choice to make: the host's
                s.host_waiting = false;
                return &s.main;
            }
            if (idle && s.virtual_clock && !s.timed.empty()) {
                s.virtual_now = std::max(s.virtual_now, earliest_deadline(s));
                continue;
            }
            if (idle || wall_now() >= s.host_until) {
                s.host_waiting = false;
                return &s.main;
            }
        }
        if (!s.runnable.empty()) {
            Fiber* next = s.runnable.front();
            if (s.runnable.size() > 1)
                next = s.systematic ? decide(s) : s.runnable[static_cast<std::size_t>(s.rng() % s.runnable.size())];
            remove(s.runnable, next);
            return next;
        }
        // Waiting for IO (downloads) takes the time it really takes, on the virtual clock too:
        // only sleeps and timeouts are jumped over.
        auto follow_wall_while = [&s](auto wait) {
            const auto from = wall_now();
            wait();
            if (s.virtual_clock) s.virtual_now += wall_now() - from;
        };
#ifdef __EMSCRIPTEN__
        if (s.timed.empty() && s.external_waits > 0) { // the event loop delivers what ends them
            follow_wall_while([] { emscripten_sleep(1); });
            continue;
        }
#else
        if (s.external_waits > 0 && s.poll_external) { // wait for their IO, until the next deadline
            std::optional<std::chrono::nanoseconds> timeout;
            if (!s.timed.empty())
                timeout = s.virtual_clock ? std::chrono::nanoseconds::zero()
                                          : std::max(std::chrono::nanoseconds::zero(), earliest_deadline(s) - Clock::now());
            follow_wall_while([&] { s.poll_external(timeout); });
            s.last_poll = wall_now();
            if (!s.runnable.empty() || !s.virtual_clock || s.timed.empty()) continue;
        }
#endif
        // (Natively, without a poller, nothing outside this thread can end an ExternalWait.)
        if (s.timed.empty()) all_asleep(s);
        const Clock::time_point earliest = earliest_deadline(s);
        if (s.virtual_clock)
            s.virtual_now = std::max(s.virtual_now, earliest);
        else
            sleep_until_wall(s, earliest);
    }
}

// A fiber's stack. Natively mmap'd (pages are committed when touched) with a guard page first, so
// an overflow faults instead of writing over memory; in the browser a malloc'd block.
void* allocate_stack() {
#ifdef __EMSCRIPTEN__
    void* stack = std::aligned_alloc(16, kStackSize); // the C stack pointer must be 16-aligned (varargs)
    if (!stack) throw std::system_error(EAGAIN, std::generic_category(), "Resource temporarily unavailable");
#else
    void* stack = ::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "Resource temporarily unavailable");
    ::mprotect(stack, static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)), PROT_NONE);
#endif
    return stack;
}

void release_stack(void* stack) {
#ifdef __EMSCRIPTEN__
    std::free(stack);
#else
    ::munmap(stack, kStackSize);
#endif
}

void free_stack(Fiber* fiber) {
#ifdef THREADLAB_ASAN
    if (fiber->stack) __asan_unpoison_memory_region(fiber->stack, fiber->stack_size); // the next mmap may reuse it
#endif
    if (fiber->stack) release_stack(fiber->stack);
    fiber->stack = nullptr;
#ifdef THREADLAB_TSAN
    if (fiber->tsan_fiber) __tsan_destroy_fiber(fiber->tsan_fiber);
    fiber->tsan_fiber = nullptr;
#endif
}

// Runs first in a fiber that was just switched to: the stacks of finished fibers are free now.
void after_switch(Scheduler& s, [[maybe_unused]] Fiber* from) {
#ifdef THREADLAB_ASAN
    const void* bottom = nullptr;
    std::size_t size = 0;
    __sanitizer_finish_switch_fiber(s.current->fake_stack, &bottom, &size);
    if (from && !from->stack) { // the main fiber: the sanitizer tells us where its stack is
        from->asan_bottom = bottom;
        from->asan_size = size;
    }
#endif
    for (Fiber* fiber : s.finished) {
        free_stack(fiber);
        if (fiber->released) delete fiber;
    }
    s.finished.clear();
}

Fiber* switching_from = nullptr; // for after_switch in a fiber's first instruction

void switch_to(Scheduler& s, Fiber* next) {
    Fiber* from = s.current;
    next->state = Fiber::State::running;
    if (next == from) return;
    s.current = next;
    ++s.switches;
    switching_from = from;
#ifdef THREADLAB_ASAN
    __sanitizer_start_switch_fiber(from->state == Fiber::State::finished ? nullptr : &from->fake_stack,
                                   next->stack ? next->stack : next->asan_bottom,
                                   next->stack ? next->stack_size : next->asan_size);
#endif
#ifdef THREADLAB_TSAN
    __tsan_switch_to_fiber(next->tsan_fiber, 0); // 0: the switch orders memory, as the scheduler does
#endif
#ifdef __EMSCRIPTEN__
    emscripten_fiber_swap(&from->context, &next->context);
#else
    // getcontext + setcontext, not swapcontext: ASan's swapcontext interceptor writes a warning
    // on stderr, which programs (and tests) that read their own stderr would see.
    volatile bool resumed = false;
    if (from->state != Fiber::State::finished) ::getcontext(&from->context);
    if (!resumed) {
        resumed = true;
        ::setcontext(&next->context);
    }
#endif
    after_switch(s, switching_from); // back in `from`
}

// Park the current fiber on `list` (if any) until woken, or until `deadline` (if any): true if the
// deadline ended it.
bool park(Scheduler& s, WaitList* list, const Clock::time_point* deadline) {
    Fiber* me = s.current;
    me->state = Fiber::State::blocked;
    me->timed_out = false;
    s.run_left = 0; // the next thread to run draws its own run (set_quantum)
    me->parked_on = list;
    if (list) list->push_back(me);
    if (deadline) {
        me->has_deadline = true;
        me->deadline = *deadline;
        s.timed.push_back(me);
    }
    switch_to(s, pick(s));
    return me->timed_out;
}

void wake_first(Scheduler& s, WaitList& list) {
    if (list.empty()) return;
    Fiber* fiber = list.front();
    list.erase(list.begin());
    make_runnable(s, fiber);
}

void wake_all(Scheduler& s, WaitList& list) {
    while (!list.empty()) wake_first(s, list);
}

void fiber_main(void* = nullptr) {
#ifdef __EMSCRIPTEN__
    release_first_entry_hold();
#endif
    Scheduler& s = scheduler();
    after_switch(s, switching_from);
    Fiber* me = s.current;
    me->body(); // run_thread and the watchdogs catch everything; an escape ends the program, as std::thread
    me->body = nullptr;
    // Thread-local destructors, newest first; one may make a slot again (it is destroyed too).
    while (!me->locals.empty()) {
        LocalSlot slot = me->locals.back();
        me->locals.pop_back();
        slot.destroy(slot.value);
    }
    me->state = Fiber::State::finished;
    remove(s.alive, me);
    wake_all(s, me->joiners);
    s.finished.push_back(me);
    switch_to(s, pick(s));
    std::abort(); // a finished fiber is never switched to
}
} // namespace

void* local_slot(const void* key, void* (*make)(), void (*destroy)(void*)) {
    Fiber* me = on_scheduler_thread().current;
    for (LocalSlot& slot : me->locals)
        if (slot.key == key) return slot.value;
    void* value = make();
    me->locals.push_back(LocalSlot{key, value, destroy});
    return value;
}

std::uint64_t current_id() { return on_scheduler_thread().current->id; }

void set_pool(std::uint64_t pool) { on_scheduler_thread().current->pool = pool; }

WaitNote::WaitNote(events::ObjectKind kind, std::uint64_t object, std::string_view name, const std::uint64_t* waits_for)
    : kind(kind), object(object), name(name), waits_for(waits_for), fiber_(on_scheduler_thread().current),
      outer_(fiber_->note) {
    fiber_->note = this;
}

WaitNote::WaitNote(std::uint64_t thread)
    : kind(events::ObjectKind::thread), object(thread), waits_for(&object), fiber_(on_scheduler_thread().current), outer_(fiber_->note) {
    fiber_->note = this;
}

WaitNote::~WaitNote() { fiber_->note = outer_; }
} // namespace detail::sim

Clock::time_point Clock::now() noexcept {
    auto& s = detail::sim::scheduler();
    return s.virtual_clock ? s.virtual_now : detail::sim::wall_now() + s.wall_offset;
}

namespace detail {
using sim::Fiber;

void Mutex::lock() {
    auto& s = sim::on_scheduler_thread();
    while (locked_) sim::park(s, &waiters_, nullptr);
    locked_ = true;
}

bool Mutex::try_lock() {
    if (locked_) return false;
    locked_ = true;
    return true;
}

void Mutex::unlock() {
    locked_ = false;
    sim::wake_first(sim::scheduler(), waiters_);
}

void CondVar::notify_one() noexcept { sim::wake_first(sim::scheduler(), waiters_); }

void CondVar::notify_all() noexcept { sim::wake_all(sim::scheduler(), waiters_); }

bool CondVar::wait_until_or_forever(Lock& lock, const Clock::time_point* deadline) {
    auto& s = sim::on_scheduler_thread();
    lock.unlock(); // nothing runs between this and parking: no wake-up is lost
    bool timed_out = sim::park(s, &waiters_, deadline);
    lock.lock();
    return timed_out;
}

OsThread::OsThread(std::function<void()> body) {
    auto& s = sim::on_scheduler_thread();
    void* stack = sim::allocate_stack();
    std::unique_ptr<void, void (*)(void*)> stack_owner(stack, sim::release_stack);
    auto fiber = std::make_unique<Fiber>();
    // Room first: once the fiber is listed nothing may throw, or a failed start would leave it behind.
    s.alive.reserve(s.alive.size() + 1);
    s.runnable.reserve(s.runnable.size() + 1);
    fiber->id = s.next_id++;
    fiber->stack = stack;
    fiber->stack_size = sim::kStackSize;
    fiber->body = std::move(body);
#ifdef __EMSCRIPTEN__
    char* block = static_cast<char*>(stack);
    emscripten_fiber_init(&fiber->context, sim::fiber_main, nullptr, block + sim::kAsyncifySize,
                          sim::kStackSize - sim::kAsyncifySize, block, sim::kAsyncifySize);
#else
    ::getcontext(&fiber->context);
    fiber->context.uc_stack.ss_sp = stack;
    fiber->context.uc_stack.ss_size = sim::kStackSize;
    fiber->context.uc_link = nullptr;
    ::makecontext(&fiber->context, [] { sim::fiber_main(); }, 0);
#endif
#ifdef THREADLAB_TSAN
    fiber->tsan_fiber = __tsan_create_fiber(0);
#endif
    stack_owner.release();
    fiber_ = fiber.release();
    s.alive.push_back(fiber_);
    s.runnable.push_back(fiber_);
}

OsThread& OsThread::operator=(OsThread&& other) noexcept {
    if (joinable()) std::terminate();
    fiber_ = other.fiber_;
    other.fiber_ = nullptr;
    return *this;
}

OsThread::~OsThread() {
    if (joinable()) std::terminate(); // as std::thread
}

void OsThread::join() {
    auto& s = sim::on_scheduler_thread();
    if (!fiber_) throw std::system_error(std::make_error_code(std::errc::invalid_argument));
    if (fiber_ == s.current) throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur));
    while (fiber_->state != Fiber::State::finished) sim::park(s, &fiber_->joiners, nullptr);
    detach();
}

void OsThread::detach() {
    if (!fiber_) throw std::system_error(std::make_error_code(std::errc::invalid_argument));
    fiber_->released = true;
    if (fiber_->state == Fiber::State::finished && !fiber_->stack) delete fiber_; // else after_switch deletes it
    fiber_ = nullptr;
}

OsThread::id OsThread::get_id() const noexcept { return fiber_ ? fiber_->id : 0; }

void yield_now() {
    auto& s = sim::on_scheduler_thread();
    if (s.hosted && s.current == &s.main) return; // the host gives the others time in run_for only
    // Under the virtual clock a scheduling point costs a microsecond: code that polls (a spin
    // loop, a wait with a timeout) still sees time pass, and deadlines come, deterministically.
    if (s.virtual_clock) s.virtual_now += sim::kVirtualTick;
    Fiber* me = s.current;
    me->state = Fiber::State::runnable;
    s.runnable.push_back(me);
    sim::switch_to(s, sim::pick(s));
}

void scheduling_point() {
    auto& s = sim::on_scheduler_thread();
    if (s.hosted && s.current == &s.main) return; // the host draws nothing (see yield_now)
    if (s.run_left > 0 && !s.stepping && !s.systematic) {
        --s.run_left;
        if (s.virtual_clock) s.virtual_now += sim::kVirtualTick;
        return;
    }
    if (s.quantum > 1 && !s.systematic) s.run_left = s.rng() % (2 * s.quantum - 1); // 0 .. 2q-2: mean q-1 more points
    yield_now();
}

void set_thread_label(const std::string& name) { sim::on_scheduler_thread().current->label = name; }

void set_thread_label(OsThread& thread, const std::string& name) {
    if (thread.fiber_) thread.fiber_->label = name;
}

void sleep_for(Clock::duration duration) {
    auto& s = sim::on_scheduler_thread();
    if (duration <= Clock::duration::zero()) return yield_now();
    Clock::time_point deadline = Clock::now() + duration;
    while (Clock::now() < deadline) sim::park(s, nullptr, &deadline);
}
} // namespace detail

namespace sim {
namespace {
void require_alone(const char* what) {
    auto& s = detail::sim::on_scheduler_thread();
    if (s.alive.size() != 1) throw RuntimeError(std::string(what) + " needs the calling thread to be the only one alive");
}
} // namespace

std::uint64_t seed() { return detail::sim::scheduler().seed; }

void reseed(std::uint64_t seed) {
    require_alone("sim::reseed()");
    auto& s = detail::sim::scheduler();
    s.seed = seed;
    s.rng.seed(seed);
    s.run_left = 0;
    s.systematic = false;
}

void follow_schedule(const std::string& schedule) {
    require_alone("sim::follow_schedule()");
    auto parsed = detail::sim::parse_schedule(schedule);
    if (!parsed)
        throw ValueError("schedule '" + schedule + "' is not a list of decision:alternative pairs in order, such as '3:1,9:2'");
    auto& s = detail::sim::scheduler();
    s.systematic = true;
    s.forced = std::move(*parsed);
    s.forced_next = 0;
    s.decision_count = 0;
    s.diverged = false;
}

void set_quantum(std::uint64_t points) {
    if (points < 1) throw ValueError("quantum must be at least 1");
    auto& s = detail::sim::scheduler();
    s.quantum = points;
    s.run_left = 0;
}

std::uint64_t quantum() { return detail::sim::scheduler().quantum; }

bool virtual_clock() { return detail::sim::scheduler().virtual_clock; }

void set_virtual_clock(bool on) {
    require_alone("sim::set_virtual_clock()");
    auto& s = detail::sim::scheduler();
    if (on && !s.virtual_clock) s.virtual_now = Clock::now();
    if (!on && s.virtual_clock) s.wall_offset = std::max(s.wall_offset, s.virtual_now - detail::sim::wall_now());
    s.virtual_clock = on;
}

std::uint64_t switches() { return detail::sim::scheduler().switches; }

namespace {
// The host lets the others run until pick() gives it back control (run_for, step).
void host_waits(detail::sim::Scheduler& s, std::chrono::nanoseconds budget, const char* what) {
    if (s.current != &s.main) throw RuntimeError(std::string(what) + " is for the main thread, the host");
    s.hosted = true;
    s.host_waiting = true;
    s.host_until = detail::sim::wall_now() + budget;
    s.main.state = detail::sim::Fiber::State::blocked;
    detail::sim::switch_to(s, detail::sim::pick(s));
}
} // namespace

void run_for(std::chrono::nanoseconds budget) { host_waits(detail::sim::on_scheduler_thread(), budget, "sim::run_for()"); }

void set_stepping(bool on) { detail::sim::scheduler().stepping = on; }

bool stepping() { return detail::sim::scheduler().stepping; }

std::vector<ThreadChoice> runnable_threads() {
    std::vector<ThreadChoice> threads;
    for (auto* fiber : detail::sim::scheduler().runnable)
        threads.push_back({static_cast<unsigned long>(fiber->id), detail::sim::display(*fiber)});
    return threads;
}

void step(unsigned long ident) {
    auto& s = detail::sim::on_scheduler_thread();
    if (s.runnable.empty()) throw RuntimeError("no thread can run now: each one waits");
    detail::sim::Fiber* next = nullptr;
    if (ident == 0) {
        next = s.runnable[s.runnable.size() == 1 ? 0 : static_cast<std::size_t>(s.rng() % s.runnable.size())];
    } else {
        for (auto* fiber : s.runnable)
            if (fiber->id == ident) next = fiber;
        if (!next) throw ValueError("thread " + std::to_string(ident) + " cannot run now: it is not one of the runnable threads");
    }
    s.chosen = next;
    // Until its next scheduling point; a step that has not ended after a second (a loop without
    // one) gives the host back control at the next point there is.
    host_waits(s, std::chrono::seconds(1), "sim::step()");
}

std::optional<std::chrono::nanoseconds> until_next_deadline() {
    auto& s = detail::sim::scheduler();
    if (s.timed.empty()) return std::nullopt;
    return std::max(std::chrono::nanoseconds::zero(), detail::sim::earliest_deadline(s) - Clock::now());
}

bool threads_can_run() {
    auto& s = detail::sim::scheduler();
    return !s.runnable.empty() || !s.timed.empty() || s.external_waits > 0;
}

#ifndef __EMSCRIPTEN__
void set_external_poller(std::function<void(std::optional<std::chrono::nanoseconds>)> poll) {
    detail::sim::on_scheduler_thread().poll_external = std::move(poll);
}
#endif

ExternalWait::ExternalWait() { ++detail::sim::on_scheduler_thread().external_waits; }

ExternalWait::~ExternalWait() {
    if (!done_) --detail::sim::scheduler().external_waits;
}

void ExternalWait::wait() {
    auto& s = detail::sim::on_scheduler_thread();
    if (s.hosted && s.current == &s.main) throw RuntimeError("the host cannot wait for an ExternalWait");
    while (!done_) detail::sim::park(s, &waiters_, nullptr);
}

void ExternalWait::done() {
    if (done_) return;
    done_ = true;
    auto& s = detail::sim::scheduler();
    --s.external_waits;
    detail::sim::wake_all(s, waiters_);
}

namespace {
void record(std::vector<Outcome>& outcomes, std::string text, std::uint64_t seed, const std::string& schedule, int preemptions) {
    auto found = std::find_if(outcomes.begin(), outcomes.end(), [&](const Outcome& o) { return o.text == text; });
    if (found == outcomes.end()) {
        outcomes.push_back(Outcome{std::move(text), 1, seed, schedule, preemptions});
        return;
    }
    ++found->runs;
    if (preemptions < found->preemptions) { // keep the simplest schedule that gives it
        found->schedule = schedule;
        found->preemptions = preemptions;
    }
}

#ifndef __EMSCRIPTEN__
using detail::sim::Decision;

int preemptions(const std::vector<Decision>& decisions, std::size_t count) {
    int total = 0;
    for (std::size_t k = 0; k < count; ++k) total += decisions[k].preemptive && decisions[k].taken > 0;
    return total;
}

struct ChildRun {
    std::vector<Decision> decisions;
    std::string outcome;
};

// One schedule in a child process (fork): a run that deadlocks or crashes ends the child, not
// the explorer, and every run starts from the same state (thread names, clock, allocator).
ChildRun run_in_child(const std::function<std::string()>& program, const std::vector<Decision>& schedule) {
    int ends[2];
    if (::pipe(ends) != 0) throw std::system_error(errno, std::generic_category(), "sim::explore_schedules(): pipe");
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) {
        const int error = errno;
        ::close(ends[0]);
        ::close(ends[1]);
        throw std::system_error(error, std::generic_category(), "sim::explore_schedules(): fork");
    }
    if (child == 0) {
        ::close(ends[0]);
        const int null = ::open("/dev/null", O_WRONLY); // the runs' own output would repeat thousands of times
        ::dup2(null, 1);
        ::dup2(null, 2);
        auto& s = detail::sim::scheduler();
        s.systematic = true;
        s.forced_next = 0;
        s.decision_count = 0;
        s.diverged = false;
        s.decisions.clear();
        s.forced.clear();
        for (std::uint32_t k = 0; k < schedule.size(); ++k)
            if (schedule[k].taken > 0) s.forced.emplace_back(k, schedule[k].taken);
        s.explorer_fd = ends[1];
        std::string outcome;
        try {
            outcome = program();
        } catch (const std::exception& error) {
            outcome = std::string("exception: ") + error.what();
        } catch (...) {
            outcome = "exception: (not a std::exception)";
        }
        detail::sim::report_to_explorer(s, outcome, 0);
    }
    ::close(ends[1]);
    std::string bytes;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t got = ::read(ends[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        bytes.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(ends[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    ChildRun run;
    std::uint32_t counts[3] = {0, 0, 0};
    if (bytes.size() >= sizeof counts) std::memcpy(counts, bytes.data(), sizeof counts);
    const std::size_t decisions_bytes = std::size_t{counts[0]} * sizeof(Decision);
    if (bytes.size() < sizeof counts || bytes.size() != sizeof counts + decisions_bytes + counts[1]) {
        // It died before it could report (a crash, an abort): its schedule is the one it was given.
        run.decisions = schedule;
        run.outcome = WIFSIGNALED(status) ? std::string("crashed: ") + ::strsignal(WTERMSIG(status))
                                          : "crashed: exit status " + std::to_string(WEXITSTATUS(status));
        return run;
    }
    run.decisions.resize(counts[0]);
    if (decisions_bytes) // an empty vector's data() may be null, which memcpy must not get
        std::memcpy(run.decisions.data(), bytes.data() + sizeof counts, decisions_bytes);
    run.outcome = bytes.substr(sizeof counts + decisions_bytes);
    // Each decision the schedule forced must have been made as forced, or the search would not
    // move on: a program whose choices differ from run to run (wall time, a random seed of its
    // own) is not explored, and says so.
    bool followed = !counts[2] && run.decisions.size() >= schedule.size();
    for (std::size_t k = 0; followed && k < schedule.size(); ++k) followed = run.decisions[k].taken == schedule[k].taken;
    if (!followed) {
        run.outcome = "(schedule diverged: the program does not make the same choices run after run) " + run.outcome;
        run.decisions = schedule;
    }
    return run;
}
#endif
} // namespace

std::vector<Outcome> explore(const std::function<std::string()>& program, int runs, std::uint64_t first_seed) {
    if (runs < 1) throw ValueError("runs must be at least 1");
    std::vector<Outcome> outcomes;
    for (int run = 0; run < runs; ++run) {
        const std::uint64_t seed = first_seed + static_cast<std::uint64_t>(run);
        reseed(seed);
        record(outcomes, program(), seed, {}, 0);
    }
    return outcomes;
}

ScheduleExploration explore_schedules(const std::function<std::string()>& program, int max_preemptions, int max_runs) {
    if (max_preemptions < 0) throw ValueError("max_preemptions must be at least 0");
    if (max_runs < 1) throw ValueError("max_runs must be at least 1");
    require_alone("sim::explore_schedules()");
#ifdef __EMSCRIPTEN__
    (void)program;
    throw RuntimeError("sim::explore_schedules() runs each schedule in a child process, and the browser has none: use sim::explore()");
#else
    const bool was_virtual = virtual_clock();
    set_virtual_clock(true); // timers fire by the schedule alone, so a schedule replays
    ScheduleExploration result;
    std::vector<Decision> next; // the schedule to run: its decisions are forced, the rest take 0
    for (;;) {
        if (result.runs == max_runs) break;
        ChildRun run = run_in_child(program, next);
        ++result.runs;
        record(result.outcomes, std::move(run.outcome), 0, detail::sim::schedule_text(run.decisions),
               preemptions(run.decisions, run.decisions.size()));
        // Depth first: the last decision with an alternative not yet taken, within the bound.
        next = std::move(run.decisions);
        int before = preemptions(next, next.size()); // the preemptions before `last`, as it goes back
        while (!next.empty()) {
            Decision& last = next.back();
            before -= last.preemptive && last.taken > 0;
            if (last.taken + 1 < last.alternatives && before + static_cast<int>(last.preemptive) <= max_preemptions) {
                ++last.taken;
                break;
            }
            next.pop_back();
        }
        if (next.empty()) {
            result.complete = true;
            break;
        }
    }
    set_virtual_clock(was_virtual);
    return result;
#endif
}
} // namespace sim
} // namespace threadlab
