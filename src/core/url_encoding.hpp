#pragma once

// Percent-encoding for query strings and for VWO's encodeURIComponent-encoded fields.

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace vwo::core {

/// JavaScript encodeURIComponent over UTF-8 bytes: leaves A-Z a-z 0-9 - _ . ! ~ * ' ( )
/// unescaped, everything else %XX with upper-case hex. Appends to `out`.
void append_encode_uri_component(std::string& out, std::string_view text);
std::string encode_uri_component(std::string_view text);

/// Strict RFC 3986 query-value encoding: only the unreserved set A-Z a-z 0-9 - _ . ~
/// stays as is; everything else, including '+', becomes %XX (upper-case hex).
void append_query_value(std::string& out, std::string_view text);

/// Appends "name=value" (value via append_query_value), preceded by '&' unless `out`
/// is empty or ends with '?'. `name` is written as given (our names need no encoding).
void append_query_param(std::string& out, std::string_view name, std::string_view value);

/// Decodes %XX sequences; '+' stays '+'. A malformed escape is the generic code
/// boost::system::errc::illegal_byte_sequence (core/outcome.hpp: a code is all a caller needs).
boost::system::result<std::string> percent_decode(std::string_view text);

} // namespace vwo::core
