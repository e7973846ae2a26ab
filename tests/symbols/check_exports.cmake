# Checks that a shared libvwo exports the public API only (the VWO_API declarations of include/vwo).
#
#   cmake -DLIBRARY=<path to libvwo.so[.N]> [-DNM=nm] [-DCXXFILT=c++filt] -P check_exports.cmake
#
# Lists the dynamic symbols the library defines (nm -D --defined-only, demangled by c++filt), works
# out the qualified name of each (template arguments, parameters and a leading return type set aside:
# "void boost::asio::detail::epoll_reactor::schedule_timer<...>(...)" is boost::asio::...), and fails
# on any symbol the rule does not allow:
#
#  1. Refused, strong or weak: vwo::core, vwo::engine, vwo::transport (the library's internals) and
#     vwo::client_impl (the engine behind the client handle, only forward-declared publicly).
#  2. Allowed: the rest of namespace vwo - the VWO_API declarations (vwo::launch, vwo::client,
#     vwo::get_settings_file, vwo::error_category, vwo::latency_histogram, vwo::push_validation_error,
#     vwo::queued_event_bytes, vwo::detail::start_* ...), with the typeinfo and vtables of public classes.
#  3. Allowed outside vwo only when weak or unique (nm V, W, v, w, u: vague linkage, one copy per
#     process) and only in std::, __gnu_cxx:: or boost::. These are instantiations and inline-function
#     statics of header libraries that give them default visibility on purpose, whatever -fvisibility
#     says: libstdc++ declares namespace std with visibility("default"), and Asio wraps its headers in
#     "#pragma GCC visibility push(default)" (asio/detail/push_options.hpp). They must stay exported:
#     several of them have to be one object per process (Asio's error categories are compared by
#     address, call_stack<>::top_ backs running_in_this_thread, service ids key io_context services),
#     so hiding them (a version script) would give the library private copies of the application's.
#     Their template arguments may name internal types (an Asio strand running an engine lambda):
#     nobody outside the library can name, call or bind to those.
#  4. Allowed: the linker's own symbols (_init, _fini, _edata, _end, __bss_start).
#  5. Everything else fails: any strong (T, D, B, R) definition outside vwo, or anything in
#     nlohmann:: (its headers carry no visibility attribute, so it must be hidden) or another
#     namespace, means internal code leaked into the ABI.
cmake_minimum_required(VERSION 3.25)
if(NOT LIBRARY OR NOT EXISTS "${LIBRARY}")
  message(FATAL_ERROR "LIBRARY='${LIBRARY}': no such shared library")
endif()
if(NOT NM)
  find_program(NM NAMES nm REQUIRED)
endif()
if(NOT CXXFILT)
  find_program(CXXFILT NAMES c++filt REQUIRED)
endif()

execute_process(COMMAND "${NM}" -D --defined-only "${LIBRARY}"
                COMMAND "${CXXFILT}"
                OUTPUT_VARIABLE listing RESULT_VARIABLE rc ERROR_VARIABLE errors)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm -D --defined-only ${LIBRARY} | c++filt failed (${rc}): ${errors}")
endif()

string(REPLACE ";" "\\;" listing "${listing}") # demangled names may hold ';' (none expected)
string(REPLACE "\n" ";" lines "${listing}")
set(bad "")
set(count 0)
set(public 0)
foreach(line IN LISTS lines)
  # "<address> <type> <name>"
  if(NOT line MATCHES "^[0-9a-fA-F]+ ([A-Za-z]) (.+)$")
    continue()
  endif()
  set(type "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  math(EXPR count "${count} + 1")
  # What the symbol belongs to: the prefix naming a typeinfo, vtable, thunk or guard is set aside,
  # then lambdas, template argument lists (innermost first), parameters and a leading return type.
  set(entity "${name}")
  if(entity MATCHES "^(typeinfo for |typeinfo name for |vtable for |VTT for |construction vtable for )(.*)$")
    set(entity "${CMAKE_MATCH_2}")
  endif()
  if(entity MATCHES "^(non-virtual thunk to |virtual thunk to |guard variable for |TLS init function for |TLS wrapper function for )(.*)$")
    set(entity "${CMAKE_MATCH_2}")
  endif()
  string(REGEX REPLACE "{lambda[^{}]*}" "lambda" entity "${entity}")
  string(REPLACE "operator<<" "operator_shl" entity "${entity}")
  string(REPLACE "operator<" "operator_lt" entity "${entity}")
  string(REPLACE "operator>>" "operator_shr" entity "${entity}")
  string(REPLACE "operator>" "operator_gt" entity "${entity}")
  string(REPLACE "operator->" "operator_arrow" entity "${entity}")
  set(previous "")
  while(NOT entity STREQUAL previous)
    set(previous "${entity}")
    string(REGEX REPLACE "<[^<>]*>" "" entity "${entity}")
  endwhile()
  # A conversion function ("X::operator std::error_category const&() const") or operator new/delete
  # names a type after "operator ": the entity is X.
  string(REGEX REPLACE "::operator [^(]*\\(" "::operator_named(" entity "${entity}")
  string(REGEX REPLACE "\\(.*$" "" entity "${entity}")   # parameters (and what follows)
  string(REGEX REPLACE "^.* " "" entity "${entity}")       # a leading return type
  set(weak FALSE)
  if(type MATCHES "^[VWuvw]$")
    set(weak TRUE)
  endif()

  if(entity MATCHES "^vwo::(core|engine|transport)::" OR entity MATCHES "^vwo::client_impl(::|$)")
    list(APPEND bad "internal (rule 1): ${type} ${name}")
  elseif(entity MATCHES "^vwo::")
    math(EXPR public "${public} + 1")
  elseif(weak AND entity MATCHES "^(std|__gnu_cxx|boost)::")
    # rule 3
  elseif(name MATCHES "^(_init|_fini|_edata|_end|__bss_start)$")
    # rule 4
  else()
    list(APPEND bad "not vwo's API (rule 5): ${type} ${name}")
  endif()
endforeach()

if(public EQUAL 0)
  message(FATAL_ERROR "${LIBRARY}: no vwo:: symbol exported at all (${count} defined) - wrong file?")
endif()
if(bad)
  list(LENGTH bad nbad)
  list(JOIN bad "\n  " text)
  message(FATAL_ERROR "${LIBRARY} exports ${nbad} symbol(s) outside the public API "
                      "(rule: tests/symbols/check_exports.cmake):\n  ${text}")
endif()
message(STATUS "${LIBRARY}: ${count} dynamic symbols, ${public} in the public vwo API, none internal")
