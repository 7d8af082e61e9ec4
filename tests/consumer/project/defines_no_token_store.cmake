# Fails when an object file under OBJECT_DIR defines an operation of the token store over
# SQLite (of TokenStore, its adapter or the SQL backend): in compiled mode oauth::compiled
# holds them, and a user's file only calls them. Constructors and destructors, which the
# compiler emits where they are used, are not operations.
#   cmake -DNM=nm -DOBJECT_DIR=... -P defines_no_token_store.cmake
file(GLOB objects "${OBJECT_DIR}/*.o")
if(NOT objects)
  message(FATAL_ERROR "no object file in ${OBJECT_DIR}")
endif()
foreach(object IN LISTS objects)
  execute_process(COMMAND "${NM}" --demangle --defined-only "${object}" OUTPUT_VARIABLE symbols
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${NM} could not read ${object}")
  endif()
  string(REGEX MATCH "SqliteDriver> ?>::(list|put_state|take_state|save_connection|find_integration)\\(" found
    "${symbols}")
  if(found)
    message(FATAL_ERROR "${object} defines ${found}...): in compiled mode the token store over SQLite is "
      "oauth::compiled's")
  endif()
endforeach()
