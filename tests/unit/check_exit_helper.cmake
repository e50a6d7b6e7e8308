# Runs threadlab_exit_helper (through the emulator, '|'-separated, for wasm) and checks that:
# it exits with 0, the non-daemon thread's line comes after "main returns", and stderr holds
# Python's report of the exception that escaped the thread named "worker".
string(REPLACE "|" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${HELPER}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 50)
message(STATUS "stdout:\n${out}\nstderr:\n${err}\nexit: ${rc}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit helper exited with '${rc}', expected 0")
endif()
if(NOT out MATCHES "failing thread joined, alive=False\nmain returns\nnon-daemon thread finished\n")
  message(FATAL_ERROR "the non-daemon thread was not joined at exit (stdout above)")
endif()
if(NOT err MATCHES "Exception in thread worker:\nValueError: boom\n")
  message(FATAL_ERROR "stderr lacks 'Exception in thread worker:\\nValueError: boom'")
endif()
