# Helpers in the shape of Abseil's absl_cc_library: one call per target.
include(CMakeParseArguments)

set(SPOOLGATE_WARNINGS -Wall -Wextra -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND SPOOLGATE_WARNINGS -Wthread-safety)
endif()

# spoolgate_cc_library(NAME x SRCS a.cc HDRS a.h DEPS ...) -> spoolgate::x
function(spoolgate_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  add_library(spoolgate_${ARG_NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
  add_library(spoolgate::${ARG_NAME} ALIAS spoolgate_${ARG_NAME})
  target_include_directories(spoolgate_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(spoolgate_${ARG_NAME} PRIVATE ${SPOOLGATE_WARNINGS})
  target_link_libraries(spoolgate_${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

# spoolgate_cc_binary(NAME x SRCS main.cc DEPS ...)
function(spoolgate_cc_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_compile_options(${ARG_NAME} PRIVATE ${SPOOLGATE_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
endfunction()

# spoolgate_cc_test(NAME x SRCS x_test.cc DEPS ... [LABELS ...])
function(spoolgate_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_compile_options(${ARG_NAME} PRIVATE ${SPOOLGATE_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "SPOOLGATE_BIN_DIR=${PROJECT_BINARY_DIR}"
    DISCOVERY_TIMEOUT 30)
endfunction()
