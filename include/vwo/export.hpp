#pragma once

// VWO_API marks what libvwo exports. The library is built with -fvisibility=hidden and
// -fvisibility-inlines-hidden, so in libvwo.so only the marked functions and classes (the public
// API in these headers) are visible; everything in src/ stays internal. The same definition serves
// building and using the library (ELF has no import/export distinction), and it is harmless in a
// static build.

#if defined(__GNUC__) || defined(__clang__)
#define VWO_API __attribute__((visibility("default")))
#else
#define VWO_API
#endif
