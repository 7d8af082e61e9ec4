# Builds TARGET, expecting the build to fail with a diagnostic matching EXPECTED; with
# COUNT=ONE, that must be the only "error:" line the compiler printed.
execute_process(
  COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} --target ${TARGET}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(result EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled, but it must not")
endif()
string(REGEX MATCHALL "error: [^\n]*" errors "${output}")
list(FILTER errors EXCLUDE REGEX "^error: (ld returned|make|ninja)")
if(NOT output MATCHES "${EXPECTED}")
  message(FATAL_ERROR "${TARGET} failed, but not with \"${EXPECTED}\":\n${output}")
endif()
list(LENGTH errors error_count)
if(COUNT STREQUAL "ONE" AND NOT error_count EQUAL 1)
  message(FATAL_ERROR "${TARGET}: expected one error line, got ${error_count}:\n${output}")
endif()
message(STATUS "${TARGET} failed to compile as expected (${error_count} error line(s))")
