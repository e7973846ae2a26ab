#pragma once

// The one error shape of src/core (issue 15, item 5).
//
// Pure code in src/core reports a failure in exactly one of two ways:
//
//  - boost::system::result<T>: when a code is all the caller needs (nothing to log beyond what the
//    code's message() says). Example: read_retry_after, whose failure only means "ignore the header".
//
//  - core::outcome<T> = boost::system::result<T, core::failure>: when the caller logs the failure and
//    the line must say more than the code (which field, which character, which environment variable).
//    failure::code is a vwo::errc (or a generic code) so the caller can still branch on it, compare it
//    with a vwo::condition, or hand it to the public API unchanged; failure::message is the complete
//    log line, never quoting secrets (SDK keys, proxy passwords).
//
// Not used in src/core: std::optional<std::string> "problem" returns, {optional<T>, string} structs,
// `optional<T> f(..., std::string& error)` out-parameters, (error_code&, string&) pairs, or exceptions
// for expected failures (exceptions remain only for caller bugs and std::bad_alloc). A few old entry
// points that src/engine, src/transport and src/client.cpp still call are kept as thin wrappers over
// the outcome-returning functions, each marked "compatibility"; they go once those callers migrate.
//
// Using it:
//     core::outcome<endpoint> origin = core::parse_endpoint(url);
//     if (!origin) return fail(origin.error().code, origin.error().message);
//     use(*origin);
// `.value()` on a failure throws boost::system::system_error(code, message) (see
// throw_exception_from_error below), so an unchecked access is loud, never undefined.

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <ostream>
#include <string>
#include <utility>

namespace vwo::core {

/// Why a core function failed: a code to branch on and the line to log.
struct failure {
    boost::system::error_code code; ///< never a default (success) code
    std::string message;            ///< complete, human-readable; never quotes a secret
};

/// For test output and ad-hoc logging: the message, then the code.
template <class Ch, class Tr>
std::basic_ostream<Ch, Tr>& operator<<(std::basic_ostream<Ch, Tr>& os, const failure& f)
{
    return os << f.message.c_str() << " [" << f.code << "]";
}

/// result<T, failure>::value() on a failure lands here (found by argument-dependent lookup).
[[noreturn]] inline void throw_exception_from_error(const failure& f, const boost::source_location& where)
{
    boost::throw_exception(boost::system::system_error(f.code, f.message), where);
}

/// A value of T, or a failure (code + message). T may be void.
template <class T = void>
using outcome = boost::system::result<T, failure>;

/// A failed outcome of any T: `return core::fail(errc::invalid_options, "endpoint ...");`
inline failure fail(boost::system::error_code code, std::string message)
{
    return failure{code, std::move(message)};
}

} // namespace vwo::core
