#include "core/json_writer.hpp"

#include "core/decision/utf8.hpp"

#include <algorithm>

namespace vwo::core {

void append_json_string(std::string& out, std::string_view text)
{
    const std::size_t needed = out.size() + text.size() + 2;
    if (needed > out.capacity()) out.reserve(std::max(needed, out.capacity() * 2));
    out += '"';
    // Copy runs of bytes that need no escape in one append; most keys and values are one run.
    std::size_t run_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') continue;
        if (byte >= 0x80) {
            // Valid UTF-8 is copied; an invalid byte becomes U+FFFD, so the body stays valid JSON even when
            // a field (a visitor's user agent) was never validated (docs/protocol.md).
            if (const std::size_t n = decision::utf8_sequence_length(text, i); n != 0) {
                i += n - 1;
                continue;
            }
            out.append(text.data() + run_start, i - run_start);
            run_start = i + 1;
            out += "\xEF\xBF\xBD";
            continue;
        }
        out.append(text.data() + run_start, i - run_start);
        run_start = i + 1;
        switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {
            constexpr char hex[] = "0123456789abcdef";
            const char escaped[6] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 0xF]};
            out.append(escaped, 6);
        }
        }
    }
    out.append(text.data() + run_start, text.size() - run_start);
    out += '"';
}

} // namespace vwo::core
