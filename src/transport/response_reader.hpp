#pragma once
// Reading one HTTP/1.1 response from bytes, with every bound of docs/reliability.md R14, and no I/O:
// http_client reads from its socket into a bounded buffer and hands the bytes here; fuzz_http_response
// hands it fuzzed bytes the same way, so the fuzzer tests exactly what ships.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <vwo/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace vwo::transport {

/// The one mapping of "a socket operation ended with `ec`" to the error a request gets: our deadline
/// fired (Beast's timeout, set by expires_after) → errc::timeout, anything else → `otherwise` (the
/// phase's own error: connect_failed, tls_handshake_failed, proxy_failed, connection_lost).
boost::system::error_code deadline_or(const boost::system::error_code& ec, errc otherwise);

/// The status and what the engine needs of one final response.
struct response_head {
    unsigned status = 0;
    std::optional<std::string> retry_after; ///< raw Retry-After value
    std::string reason;                     ///< the reason phrase (bounded by max_header)
    std::optional<std::string> proxy_authenticate; ///< raw Proxy-Authenticate value, for a 407
    bool keep_alive = false;
    bool body_too_large = false;            ///< the body passed max_body: `body` is empty, the status real
    std::string body;
};

/// Thread-safety: one reader per exchange, used by one thread (the pool's executor, or a fuzzer).
class response_reader {
public:
    /// A connection's read buffer holds at most this: a chunk-size line with its extensions or the
    /// trailer section must fit (Beast keeps each whole until it ends, with no limit of its own).
    static constexpr std::size_t max_read_buffer = 64 * 1024;
    /// Status line and header section of one response (each 1xx answer too).
    static constexpr std::uint32_t max_header = 16 * 1024;
    /// 1xx answers read and dropped before the final one (RFC 9110 15.2).
    static constexpr int max_interim = 8;

    enum class step {
        need_more, ///< read more bytes into the buffer (at most max_read_buffer - buffer.size())
        done,      ///< the final response is complete: head()
        failed     ///< error() and detail(); the connection must be closed
    };

    explicit response_reader(std::size_t max_body);

    /// Parses what `buffer` holds and consumes what it used; bytes after the final response stay.
    step consume(boost::beast::flat_buffer& buffer);
    /// The peer ended the stream: a response delimited by the close is complete, anything else fails.
    step end_of_stream();
    /// Reading failed at the transport (`ec` from the socket): deadline_or(ec, errc::connection_lost).
    step transport_failed(const boost::system::error_code& ec);

    /// After done.
    response_head& head() noexcept { return head_; }
    /// After failed: a vwo::errc (response_too_large, bad_response, connection_lost, timeout).
    const boost::system::error_code& error() const noexcept { return error_; }
    const std::string& detail() const noexcept { return detail_; }
    /// Any byte of a response arrived (false: the server closed an idle kept-alive connection).
    bool got_some() const noexcept { return got_some_; }

private:
    step fail(boost::system::error_code ec, std::string detail);
    step finish();

    std::size_t max_body_;
    std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
    int interim_ = 0;
    bool got_some_ = false;
    response_head head_;
    boost::system::error_code error_;
    std::string detail_;
};

} // namespace vwo::transport
