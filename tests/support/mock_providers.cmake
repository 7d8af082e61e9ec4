# The mock providers and test CA as a library: used by the flow tests, the quickstart
# (which runs the whole flow against them in-process) and the benchmarks. Included from
# whichever of those is configured first.
if(NOT TARGET oauth_mock_providers)
  set(oauth_support_dir ${CMAKE_CURRENT_LIST_DIR})
  add_library(oauth_mock_providers STATIC
    ${oauth_support_dir}/test_ca.cpp ${oauth_support_dir}/mock_provider.cpp ${oauth_support_dir}/child_process.cpp
    ${oauth_support_dir}/http_client.cpp)
  target_link_libraries(oauth_mock_providers PUBLIC oauth::compiled)
  target_include_directories(oauth_mock_providers PUBLIC ${oauth_support_dir}/..)
  target_compile_options(oauth_mock_providers PRIVATE -Wall -Wextra -Wpedantic -Werror)

  add_executable(oauth_mock_provider_server ${oauth_support_dir}/mock_provider_server.cpp)
  target_link_libraries(oauth_mock_provider_server PRIVATE oauth_mock_providers)
  target_compile_options(oauth_mock_provider_server PRIVATE -Wall -Wextra -Wpedantic -Werror)
endif()
