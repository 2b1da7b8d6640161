# Compiler warnings and hardening flags shared by every Coffer target.
add_library(coffer_build_flags INTERFACE)
target_compile_options(coffer_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wnull-dereference
  -fstack-protector-strong -fstack-clash-protection -fcf-protection
  $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
if(COFFER_WERROR)
  target_compile_options(coffer_build_flags INTERFACE -Werror)
endif()
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
include(CheckPIESupported)
check_pie_supported()
target_link_options(coffer_build_flags INTERFACE -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
if(COFFER_SANITIZE)
  target_compile_options(coffer_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                      -fno-sanitize-recover=undefined)
  target_link_options(coffer_build_flags INTERFACE -fsanitize=address,undefined)
endif()
