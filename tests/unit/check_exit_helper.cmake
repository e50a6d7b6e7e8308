# Runs threadlab_exit_helper (through the emulator, '|'-separated, for wasm) with SCENARIO as its
# argument (empty: the default one) and checks its exit code and output; see exit_helper.cpp.
#  default:      exit 0, the non-daemon thread's line comes after "main returns", and stderr holds
#                Python's report of the exception that escaped the thread named "worker".
#  late-submit:  exit 0, both late submits raised "after interpreter shutdown", excepthook ran
#                once, and nothing else was printed on stderr (no second report, no sanitizer's).
#  host:         (sim) the main thread as a host (sim::run_for) keeps control; threads sleep,
#                compute and wait for an ExternalWait the host ends.
#  step:         (sim) step mode: nothing runs until the host chooses; each step runs the chosen
#                thread to its next scheduling point (B B A B A A: bbabaa).
#  all-asleep:   (sim) exit 3, and stderr holds exactly the scheduler's all-asleep report.
#  all-asleep-external: (native sim) the same, for a thread waiting for an ExternalWait.
#  all-asleep-locks: (sim) exit 3; stderr: the wait-for cycle in the detector's words, then the report.
#  explore-replay: (native sim) systematic exploration finds the lock-order deadlock; a fresh
#                process replays its schedule from THREADLAB_SCHEDULE: exit 3, the cycle on stderr.
#  lock-orders:  (native sim) the same program on the default schedule: it finishes.
string(REPLACE "|" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${HELPER} ${SCENARIO}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 50)
message(STATUS "stdout:\n${out}\nstderr:\n${err}\nexit: ${rc}")
# The sim scenarios: the exit code, and stdout and stderr matched against regular expressions.
function(expect want_rc out_pattern err_pattern why)
  if(NOT rc EQUAL want_rc OR NOT out MATCHES "${out_pattern}" OR NOT err MATCHES "${err_pattern}")
    message(FATAL_ERROR "${why} (exit code, stdout and stderr above)")
  endif()
endfunction()
if(SCENARIO STREQUAL "host")
  expect(0 "^started, ran: nothing\nafter 0.2 s: sleeper \\(slices within 50 ms: yes\\)\nat the end: sleeper (cpu fetcher|fetcher cpu) \n$" ""
         "the host did not keep control, or a thread did not run as expected")
elseif(SCENARIO STREQUAL "step")
  expect(0 "^after run_for: ran nothing, offered A B \nValueError: thread 999999 cannot run now: it is not one of the runnable threads\norder: bbabaa, each step ran the chosen thread only: yes\nRuntimeError: no thread can run now: each one waits\n$" ""
         "step mode did not run the threads the host chose, one point at a time")
elseif(SCENARIO STREQUAL "all-asleep")
  expect(3 "^$" "^Deadlock: all threads are asleep: MainThread, waiter wait, and no timeout is pending that could wake one of them\n$"
         "expected exit 3, no output and the all-asleep report on stderr")
elseif(SCENARIO STREQUAL "all-asleep-external")
  expect(3 "^$" "^Deadlock: all threads are asleep: MainThread, downloader wait, and no timeout is pending that could wake one of them\n$"
         "expected exit 3, no output and the all-asleep report on stderr for an ExternalWait nothing ends")
elseif(SCENARIO STREQUAL "all-asleep-locks")
  expect(3 "^$" "^Deadlock: Thread-1 holds lock_a and waits for lock_b; Thread-2 holds lock_b and waits for lock_a\nDeadlock: all threads are asleep: MainThread, Thread-1, Thread-2 wait, and no timeout is pending that could wake one of them\n$"
         "expected exit 3, no output, and the wait-for cycle, then the all-asleep report, on stderr")
elseif(SCENARIO STREQUAL "explore-replay")
  expect(3 "^deadlock in [1-9][0-9]* of [1-9][0-9]* schedules; replaying [0-9]+:[0-9]+(,[0-9]+:[0-9]+)*\n$"
         "^Deadlock: Thread-1 holds lock_a and waits for lock_b; Thread-2 holds lock_b and waits for lock_a\nDeadlock: all threads are asleep: MainThread, Thread-1, Thread-2 wait, and no timeout is pending that could wake one of them\n$"
         "expected the explored deadlock's schedule on stdout, and its replay to end in the cycle, exit 3")
elseif(SCENARIO STREQUAL "lock-orders")
  expect(0 "^finished\n$" "^$" "expected the lock-order program to finish on the default schedule")
endif()
if(SCENARIO MATCHES "^(host|step|all-asleep|all-asleep-external|all-asleep-locks|explore-replay|lock-orders)$")
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit helper exited with '${rc}', expected 0")
endif()
if(SCENARIO STREQUAL "late-submit")
  set(message "RuntimeError: cannot schedule new futures after interpreter shutdown")
  if(NOT out MATCHES "^main returns\nlate submit to the old pool: ${message}\nexcepthook calls: 1\nexcepthook saw: late: ${message}\n$")
    message(FATAL_ERROR "late submits did not each raise '${message}' once (stdout above)")
  endif()
  if(NOT err STREQUAL "")
    message(FATAL_ERROR "stderr should be empty (above)")
  endif()
  return()
endif()
if(NOT out MATCHES "failing thread joined, alive=False\nmain returns\nnon-daemon thread finished\n")
  message(FATAL_ERROR "the non-daemon thread was not joined at exit (stdout above)")
endif()
if(NOT err MATCHES "Exception in thread worker:\nValueError: boom\n")
  message(FATAL_ERROR "stderr lacks 'Exception in thread worker:\\nValueError: boom'")
endif()
