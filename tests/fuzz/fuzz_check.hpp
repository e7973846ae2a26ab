#pragma once

// Shared helpers for the libFuzzer targets. A violated property prints what broke and
// aborts, so libFuzzer (and ASan's abort handler) saves the input as a crash artifact.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition, what)                                                                     \
    do {                                                                                                \
        if (!(condition)) ::vwo_fuzz::fail(__FILE__, __LINE__, #condition, what);                       \
    } while (false)

namespace vwo_fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* condition, std::string_view what)
{
    std::fprintf(stderr, "\n*** fuzz property violated at %s:%d\n    check: %s\n    %.*s\n", file, line, condition,
                 static_cast<int>(what.size()), what.data());
    std::fflush(stderr);
    std::abort();
}

/// Little cursor over the fuzzer's bytes for drawing parameters; returns 0 once exhausted.
class byte_reader {
public:
    byte_reader(const unsigned char* data, std::size_t size) noexcept : data_(data), size_(size) {}

    unsigned char byte() noexcept { return pos_ < size_ ? data_[pos_++] : 0; }

    unsigned u16() noexcept
    {
        const unsigned high = byte();
        return (high << 8) | byte();
    }

    std::string_view rest() const noexcept
    {
        return {reinterpret_cast<const char*>(data_) + pos_, size_ - pos_};
    }

private:
    const unsigned char* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

} // namespace vwo_fuzz
