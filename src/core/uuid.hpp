#pragma once

// VWO visitor UUIDs: UUID v5 (RFC 4122, SHA-1 via OpenSSL) in VWO's namespace chain.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vwo::core {

using uuid_bytes = std::array<std::uint8_t, 16>;

/// RFC 4122 name-based UUID, version 5, of `name` (its bytes as given) in `ns`.
uuid_bytes uuid_v5(const uuid_bytes& ns, std::string_view name) noexcept;

/// Canonical lower-case form with dashes ("11e13cd7-6c48-53ec-8679-7e9c752273c5").
std::string to_canonical_string(const uuid_bytes& id);

/// Makes the per-account visitor ids. Computes the account namespace once.
/// Thread-safety: immutable after construction; const members may be called concurrently.
class visitor_uuid_generator {
public:
    /// `account_id` is the decimal text of the account id ("12345").
    explicit visitor_uuid_generator(std::string_view account_id) noexcept;

    /// uuid5(uuid5(uuid5(URL, "https://vwo.com"), account_id), user_id), 32 upper-case
    /// hex digits, no dashes: "C4D95C097902569F9A2D2E87CD3201C8".
    std::string operator()(std::string_view user_id) const;
    /// The same 32 digits appended to `out`.
    void append_to(std::string& out, std::string_view user_id) const;

    const uuid_bytes& account_namespace() const noexcept { return account_ns_; }

private:
    uuid_bytes account_ns_;
};

} // namespace vwo::core
