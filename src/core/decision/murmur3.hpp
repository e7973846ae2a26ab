#pragma once

// MurmurHash3 x86 32-bit, the hash behind every bucket (docs/decisions.md#hash: Node's
// murmurhash 0.0.2 `v3(key, 1)`; the standard algorithm). Incremental, so that a seed string such as
// "<campaignId>_<accountId>_<userId>" can be hashed from its pieces without building it.

#include <cstdint>
#include <string_view>

namespace vwo::core::decision {

/// One MurmurHash3_x86_32 computation fed byte by byte.
/// Thread-safety: a value type; one instance must not be fed from two threads at once.
class murmur3_32 {
public:
    explicit constexpr murmur3_32(std::uint32_t seed) noexcept : h_(seed) {}

    constexpr void add(std::uint8_t byte) noexcept
    {
        block_ |= static_cast<std::uint32_t>(byte) << (8 * filled_);
        ++length_;
        if (++filled_ == 4) {
            h_ ^= scramble(block_);
            h_ = rotl(h_, 13);
            h_ = h_ * 5 + 0xe6546b64u;
            block_ = 0;
            filled_ = 0;
        }
    }

    constexpr void add(std::string_view bytes) noexcept
    {
        for (const char c : bytes) add(static_cast<std::uint8_t>(c));
    }

    /// The hash of everything added so far (the object may be fed further afterwards).
    constexpr std::uint32_t finish() const noexcept
    {
        std::uint32_t h = h_;
        if (filled_ != 0) h ^= scramble(block_);
        // The length mixed in is the number of bytes hashed: for Node's input, UTF-16 code units.
        h ^= length_;
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        return h;
    }

private:
    static constexpr std::uint32_t rotl(std::uint32_t x, int r) noexcept { return (x << r) | (x >> (32 - r)); }
    static constexpr std::uint32_t scramble(std::uint32_t k) noexcept
    {
        k *= 0xcc9e2d51u;
        k = rotl(k, 15);
        k *= 0x1b873593u;
        return k;
    }

    std::uint32_t h_;
    std::uint32_t block_ = 0;
    std::uint32_t length_ = 0;
    int filled_ = 0;
};

/// MurmurHash3_x86_32 of `bytes` with `seed`.
constexpr std::uint32_t murmur3_x86_32(std::string_view bytes, std::uint32_t seed) noexcept
{
    murmur3_32 hasher(seed);
    hasher.add(bytes);
    return hasher.finish();
}

} // namespace vwo::core::decision
