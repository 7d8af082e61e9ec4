# oauth::compiled, the compiled mode (include/oauth/detail/config.hpp): a static library
# of oauth/src.hpp, built in the project that links it, with its compiler and flags, so the
# package ships no binary. Code that links it compiles no Beast, and none of what src.hpp
# defines; every translation unit of such a program gets the definitions that say so.
# Used by the source tree and by the installed package's config alike.
function(oauth_add_compiled_target core_target)
  if(TARGET oauth_compiled)
    return()
  endif()
  set(source "${CMAKE_CURRENT_BINARY_DIR}/oauth_compiled/src.cpp")
  file(CONFIGURE OUTPUT "${source}" CONTENT "#include <oauth/src.hpp>\n")
  add_library(oauth_compiled STATIC EXCLUDE_FROM_ALL "${source}")
  add_library(oauth::compiled ALIAS oauth_compiled)
  target_compile_definitions(oauth_compiled PUBLIC
    OAUTH_SEPARATE_COMPILATION BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION)
  target_link_libraries(oauth_compiled PUBLIC ${core_target})
endfunction()

# The token store over a database backend, compiled into oauth::compiled beside the rest,
# for a component the package has (sqlite, postgres, redis), once: its own object in the
# library, so a program that never opens that backend links none of it. oauth::compiled
# then brings `component_target`, and with it the database's client library.
function(oauth_add_compiled_component name component_target)
  get_property(compiled TARGET oauth_compiled PROPERTY OAUTH_COMPILED_COMPONENTS)
  if(name IN_LIST compiled)
    return()
  endif()
  set(source "${CMAKE_CURRENT_BINARY_DIR}/oauth_compiled/${name}.cpp")
  file(CONFIGURE OUTPUT "${source}" CONTENT "#include <oauth/impl/store/${name}.ipp>\n")
  target_sources(oauth_compiled PRIVATE "${source}")
  string(TOUPPER "${name}" macro)
  target_compile_definitions(oauth_compiled PUBLIC OAUTH_COMPILED_${macro})
  target_link_libraries(oauth_compiled PUBLIC ${component_target})
  set_property(TARGET oauth_compiled APPEND PROPERTY OAUTH_COMPILED_COMPONENTS ${name})
endfunction()
