# Runs threadlab_exit_helper (through the emulator, '|'-separated, for wasm) with SCENARIO as its
# argument (empty: the default one) and checks its exit code and output; see exit_helper.cpp.
#  default:      exit 0, the non-daemon thread's line comes after "main returns", and stderr holds
#                Python's report of the exception that escaped the thread named "worker".
#  late-submit:  exit 0, both late submits raised "after interpreter shutdown", excepthook ran
#                once, and nothing else was printed on stderr (no second report, no sanitizer's).
string(REPLACE "|" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${HELPER} ${SCENARIO}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 50)
message(STATUS "stdout:\n${out}\nstderr:\n${err}\nexit: ${rc}")
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
