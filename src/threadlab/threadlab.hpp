// threadlab/threadlab.hpp - everything: Python's threading and concurrent.futures in C++.
#pragma once

#include "deadlock.hpp"
#include "errors.hpp"
#include "events.hpp"
#include "executor.hpp"
#include "future.hpp"
#include "gil.hpp"
#include "print.hpp"
#include "queue.hpp"
#include "shared.hpp"
#include "sim.hpp"
#include "sync.hpp"
#include "thread.hpp"
#include "thread_states.hpp"
#include "timer.hpp"
#include "timing.hpp"
#include "trace_export.hpp"
