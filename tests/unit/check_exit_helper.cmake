# Runs threadlab_exit_helper (through the emulator, '|'-separated, for wasm) with SCENARIO as its
# argument (empty: the default one) and checks its exit code and output; see exit_helper.cpp.
#  default:      exit 0, the non-daemon thread's line comes after "main returns", and stderr holds
#                Python's report of the exception that escaped the thread named "worker".
#  late-submit:  exit 0, both late submits raised "after interpreter shutdown", excepthook ran
#                once, and nothing else was printed on stderr (no second report, no sanitizer's).
#  host:         (sim) the main thread as a host (sim::run_for) keeps control; threads sleep,
#                compute and wait for an ExternalWait the host ends.
#  all-asleep:   (sim) exit 3, and stderr holds exactly the scheduler's all-asleep report.
string(REPLACE "|" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${HELPER} ${SCENARIO}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 50)
message(STATUS "stdout:\n${out}\nstderr:\n${err}\nexit: ${rc}")
if(SCENARIO STREQUAL "host")
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^started, ran: nothing\nafter 0.2 s: sleeper \\(slices within 50 ms: yes\\)\nat the end: sleeper (cpu fetcher|fetcher cpu) \n$")
    message(FATAL_ERROR "the host did not keep control, or a thread did not run as expected (stdout above)")
  endif()
  return()
endif()
if(SCENARIO STREQUAL "all-asleep")
  set(report "Deadlock: all threads are asleep: MainThread, waiter wait, and no timeout is pending that could wake one of them\n")
  if(NOT rc EQUAL 3 OR NOT err STREQUAL report OR NOT out STREQUAL "")
    message(FATAL_ERROR "expected exit 3, no output and the all-asleep report on stderr (above)")
  endif()
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
