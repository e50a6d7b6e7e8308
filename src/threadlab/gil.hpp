// threadlab/gil.hpp - an opt-in emulation of CPython's global interpreter lock (a C++ extension).
//
// C++ threads run on every core at once; CPython's do not: a thread runs Python code only while
// it holds the GIL, and the interpreter hands the GIL over when the holder blocks (sleep, I/O, a
// lock, a join) or when another thread has waited for it longer than the switch interval
// (sys.getswitchinterval(), 5 ms). This module lets a C++ program behave that way, so that a
// lesson can show what the GIL does: threads still speed up waiting, not computing.
//
// Off by default, and then every function here is a cheap no-op (except that checkpoint() is
// also the scheduling point of CPU-bound code on the sim backend, sim.hpp). When on:
//   - a thread takes the GIL with acquire() (or a Held scope) before it runs "Python" code and
//     gives it back with release();
//   - blocking calls give it up for their duration (a Released scope around the wait);
//   - CPU-bound code calls checkpoint() often (every millisecond or so): when another thread
//     has asked for the GIL, the holder gives it up there and waits until that thread has it,
//     as CPython's eval loop does at its "eval breaker" (ceval_gil.c's FORCE_SWITCHING).
// C++ has no bytecode boundaries, so code that never calls checkpoint() keeps the GIL until it
// blocks or releases it: that is the emulation's one difference from CPython.
#pragma once

namespace threadlab::gil {

// Turn the emulation on or off. Change it only while no thread holds or waits for the GIL.
void set_enabled(bool on);
bool enabled();

// sys.setswitchinterval / sys.getswitchinterval: how long a waiting thread lets the holder run
// before it asks for the GIL. Default 0.005 s. ValueError unless > 0 (CPython's message).
void set_switch_interval(double seconds);
double switch_interval();

// Take the GIL (blocks until this thread has it) / give it back. No-ops while disabled.
// RuntimeError on acquire() by the thread that already holds it, or release() by one that does not.
void acquire();
void release();
// Whether the calling thread holds the GIL.
bool held();

// The eval breaker: if another thread asked for the GIL, hand it over and take it back after.
// On the sim backend it is a scheduling point too, GIL or not: CPU-bound code calls it in its
// loops, or no other thread runs until it blocks.
void checkpoint();

// How many times a checkpoint handed the GIL to a waiting thread since the emulation was
// enabled: the forced switches of CPU-bound threads (for tests and lessons).
unsigned long long switches();

// Holds the GIL for a scope (a thread entering Python code).
class Held {
public:
    Held() { acquire(); }
    ~Held() { if (held()) release(); }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
};

// Gives the GIL up for a scope if this thread holds it (around a blocking call), then takes it
// back - as CPython's Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS.
class Released {
public:
    Released() : had_(held()) { if (had_) release(); }
    ~Released() { if (had_) acquire(); }
    Released(const Released&) = delete;
    Released& operator=(const Released&) = delete;

private:
    bool had_;
};

} // namespace threadlab::gil
