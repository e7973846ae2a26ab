#include "transport/response_reader.hpp"

#include <vwo/error.hpp>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

namespace vwo::transport {

namespace http = boost::beast::http;
using boost::system::error_code;

error_code deadline_or(const error_code& ec, errc otherwise)
{
    return make_error_code(ec == boost::beast::error::timeout ? errc::timeout : otherwise);
}

response_reader::response_reader(std::size_t max_body) : max_body_(max_body) {}

response_reader::step response_reader::consume(boost::beast::flat_buffer& buffer)
{
    for (;;) {
        if (!parser_) {
            parser_.emplace();
            parser_->header_limit(max_header);
            parser_->body_limit(max_body_);
            parser_->eager(true); // the body in the same put() as the header, as http::read parses
        }
        if (buffer.size() == 0)
            return step::need_more;
        error_code ec;
        const std::size_t used = parser_->put(buffer.data(), ec);
        buffer.consume(used);
        got_some_ = got_some_ || parser_->got_some();
        if (ec == http::error::need_more) {
            // The parser keeps a line (a chunk-size line, a trailer) whole until it ends: a buffer that is
            // full and still not enough is a line past our bound.
            if (buffer.size() >= max_read_buffer)
                return fail(make_error_code(errc::response_too_large),
                            "a header, chunk-size or trailer line longer than " +
                                std::to_string(max_read_buffer) + " bytes");
            return step::need_more;
        }
        if (ec == http::error::body_limit && parser_->is_header_done()) {
            // The status is all a delivery needs; the oversized body goes with the connection.
            head_.status = parser_->get().result_int();
            head_.body_too_large = true;
            head_.keep_alive = false;
            return step::done;
        }
        if (ec)
            return fail(ec == http::error::header_limit ? make_error_code(errc::response_too_large)
                                                         : make_error_code(errc::bad_response),
                        ec.message());
        if (!parser_->is_done()) {
            if (used == 0)
                return step::need_more;
            continue;
        }
        const unsigned status = parser_->get().result_int();
        if (status >= 100 && status <= 199) {
            if (status == 101)
                return fail(make_error_code(errc::bad_response), "an unrequested 101 Switching Protocols");
            if (++interim_ >= max_interim)
                return fail(make_error_code(errc::bad_response),
                            "more than " + std::to_string(max_interim) + " interim (1xx) answers");
            parser_.reset(); // an interim answer is read and dropped; the final one follows
            continue;
        }
        return finish();
    }
}

response_reader::step response_reader::end_of_stream()
{
    if (parser_ && parser_->got_some()) {
        error_code ec;
        parser_->put_eof(ec); // completes a response whose body is delimited by the close
        if (!ec && parser_->is_done())
            return finish();
        return fail(make_error_code(errc::connection_lost), "the connection closed in the middle of the response");
    }
    return fail(make_error_code(errc::connection_lost), "the connection closed before an answer");
}

response_reader::step response_reader::transport_failed(const error_code& ec)
{
    return fail(deadline_or(ec, errc::connection_lost), ec.message());
}

response_reader::step response_reader::fail(error_code ec, std::string detail)
{
    error_ = ec;
    detail_ = std::move(detail);
    return step::failed;
}

response_reader::step response_reader::finish()
{
    auto& response = parser_->get();
    head_.status = response.result_int();
    if (const auto it = response.find(http::field::retry_after); it != response.end())
        head_.retry_after = std::string(it->value());
    if (const auto it = response.find(http::field::proxy_authenticate); it != response.end())
        head_.proxy_authenticate = std::string(it->value());
    head_.reason = std::string(response.reason());
    head_.keep_alive = parser_->keep_alive();
    head_.body = std::move(response.body());
    return step::done;
}

} // namespace vwo::transport
