# Installs the package into STAGE, checks that no file of its CMake or pkg-config files
# names an absolute path of this machine, then moves it to PREFIX: the consumers build
# against a prefix the package was never installed into.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DSTAGE=... -DPREFIX=... -P install_relocated.cmake
file(REMOVE_RECURSE "${STAGE}" "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${STAGE}" RESULT_VARIABLE status
  OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "installing into ${STAGE} failed")
endif()

file(GLOB_RECURSE package_files "${STAGE}/share/cmake/*" "${STAGE}/share/pkgconfig/*")
list(LENGTH package_files count)
if(count LESS 8)
  message(FATAL_ERROR "the package has ${count} CMake and pkg-config files, expected at least 8")
endif()
foreach(file IN LISTS package_files)
  file(READ "${file}" text)
  foreach(path "${STAGE}" "${BUILD_DIR}" "${SOURCE_DIR}" "/usr/lib" "/usr/include" "/usr/local")
    string(FIND "${text}" "${path}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} names the absolute path ${path}: the package would not survive a move")
    endif()
  endforeach()
endforeach()

file(RENAME "${STAGE}" "${PREFIX}")
message(STATUS "installed, checked (${count} package files) and moved to ${PREFIX}")
