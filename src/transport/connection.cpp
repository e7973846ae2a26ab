// The only transport translation unit with Beast's stream and HTTP templates and Asio's SSL stream:
// they are the expensive part of compiling the SDK, so everything that can do without them (pool,
// name lookup, proxy decisions, OpenSSL context) lives in other files.

#include "transport/connection.hpp"
#include "transport/name_lookup.hpp"
#include "transport/proxy_tunnel.hpp"
#include "transport/response_reader.hpp"
#include "transport/tls_context.hpp"

#include <vwo/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <optional>

namespace vwo::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A header value that would end the header early or smuggle another one (RFC 9110 5.5): CR, LF, NUL.
// Everything we send is built by us, but parts come from the settings and the caller.
bool unsafe_header_value(std::string_view value) noexcept
{
    return value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// The message's bytes exactly as Beast's http::async_write would send them (the same serializer), made
// once. Sending a flat string with asio::async_write instead of Beast's composed write op keeps that
// template pile, instantiated per stream type, out of this translation unit's compile time.
template <class Body>
std::string serialize(http::request<Body>& msg)
{
    http::serializer<true, Body> serializer{msg};
    std::string out;
    error_code ec;
    while (!ec && !serializer.is_done()) {
        serializer.next(ec, [&](error_code&, const auto& buffers) {
            for (const auto piece : beast::buffers_range_ref(buffers))
                out.append(static_cast<const char*>(piece.data()), piece.size());
            serializer.consume(asio::buffer_size(buffers));
        });
    }
    if (ec)
        throw boost::system::system_error(ec);
    return out;
}

} // namespace

struct prepared_request {
    std::string bytes;      // the serialized request, sent unchanged on every attempt
    std::string method;     // "GET" / "POST", for the 407 detail
    std::string user_agent; // also the CONNECT request's
};

void prepared_request_deleter::operator()(prepared_request* request) const noexcept
{
    delete request;
}

struct dialer::impl {
    impl(asio::any_io_executor ex, transport_config cfg)
        : executor(std::move(ex)), config(std::move(cfg)), tls_context(make_tls_context(config.tls)),
          way(plan_route(config)),
          lookup(executor, config.resolver, way.dial_host, way.dial_port, config.proxy.has_value(),
                 config.timeouts.resolve)
    {
    }

    asio::any_io_executor executor;
    transport_config config;
    ssl::context tls_context;
    route way;
    name_lookup lookup;

    http::request<http::string_body> build_message(const core::wire_request& request) const
    {
        // Through a proxy, a plain-http request names its origin in absolute form (RFC 9112 3.2.2).
        http::request<http::string_body> msg{request.method == core::http_method::get ? http::verb::get
                                                                                     : http::verb::post,
                                             way.absolute_form ? "http://" + way.host_header + request.target
                                                               : request.target,
                                             11};
        msg.set(http::field::host, way.host_header);
        if (way.absolute_form && !way.proxy_authorization.empty())
            msg.set(http::field::proxy_authorization, way.proxy_authorization);
        msg.set(http::field::user_agent, request.user_agent);
        if (!request.authorization.empty())
            msg.set(http::field::authorization, request.authorization);
        if (!request.content_type.empty())
            msg.set(http::field::content_type, request.content_type);
        if (!request.device_user_agent.empty())
            msg.set("X-Device-User-Agent", request.device_user_agent);
        if (!request.forwarded_for.empty())
            msg.set("VWO-X-Forwarded-For", request.forwarded_for);
        msg.keep_alive(true);
        if (request.method == core::http_method::post) {
            msg.body() = request.body;
            msg.prepare_payload();
        }
        return msg;
    }
};

dialer::dialer(asio::any_io_executor executor, transport_config config)
    : impl_(std::make_unique<impl>(std::move(executor), std::move(config)))
{
}

dialer::~dialer() = default;

const transport_config& dialer::config() const noexcept
{
    return impl_->config;
}

const std::string& dialer::host_header() const noexcept
{
    return impl_->way.host_header;
}

void dialer::stop()
{
    impl_->lookup.stop();
}

prepared_request_ptr dialer::prepare(const core::wire_request& request, std::string& why) const
{
    for (std::string_view value : {std::string_view(request.user_agent), std::string_view(request.authorization),
                                   std::string_view(request.content_type), std::string_view(request.device_user_agent),
                                   std::string_view(request.forwarded_for), std::string_view(request.target)}) {
        if (unsafe_header_value(value)) {
            why = "a header value or the request target holds CR, LF or NUL";
            return nullptr;
        }
    }
    try {
        auto message = impl_->build_message(request);
        return prepared_request_ptr(new prepared_request{serialize(message), std::string(message.method_string()),
                                                         request.user_agent});
    } catch (const std::exception& e) {
        why = std::string("the request cannot be built: ") + e.what();
        return nullptr;
    }
}

struct connection::impl {
    explicit impl(dialer::impl& shared) : d(shared), buffer(response_reader::max_read_buffer) {}

    dialer::impl& d;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    // Bounded (response_reader::max_read_buffer): Beast keeps a chunk-size line with its extensions, and
    // the trailer section, whole in this buffer until it ends, and puts no limit of its own on either. A
    // peer that never ends one gets errc::response_too_large instead of our memory.
    beast::flat_buffer buffer;
    bool open = false;

    beast::tcp_stream& lowest() { return secure ? secure->next_layer() : *plain; }

    void close() noexcept
    {
        if (secure || plain) {
            error_code ignored;
            lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
            lowest().socket().close(ignored);
        }
        open = false;
    }

    // The CONNECT exchange on a fresh TCP connection to the proxy: one deadline (timeouts.connect)
    // for writing the request and reading the answer's header. A 2xx answer to CONNECT has no body,
    // and after it the connection is a byte pipe to the origin. What the answer means is
    // judge_connect_answer's (proxy_tunnel.cpp).
    asio::awaitable<error_code> open_tunnel(const std::string& user_agent, std::string& detail)
    {
        const route& way = d.way;
        beast::tcp_stream& stream = lowest();
        http::request<http::empty_body> req{http::verb::connect, way.origin_authority, 11};
        req.set(http::field::host, way.origin_authority);
        if (!user_agent.empty())
            req.set(http::field::user_agent, user_agent);
        if (!way.proxy_authorization.empty())
            req.set(http::field::proxy_authorization, way.proxy_authorization);
        req.set("Proxy-Connection", "Keep-Alive"); // as libcurl sends it

        stream.expires_after(d.config.timeouts.connect);
        const std::string bytes = serialize(req);
        auto [wec, written] = co_await asio::async_write(stream, asio::buffer(bytes), use_tuple);
        (void)written;
        if (wec) {
            detail = tunnel_label(way) + ": sending the request failed: " + wec.message();
            co_return deadline_or(wec, errc::proxy_failed);
        }
        http::response_parser<http::empty_body> parser;
        parser.header_limit(response_reader::max_header);
        auto [rec, read] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        (void)read;
        if (rec) {
            if (rec == beast::error::timeout)
                detail = tunnel_label(way) + ": no answer within the connect deadline";
            else if (parser.got_some())
                detail = tunnel_label(way) + ": malformed answer: " + rec.message();
            else
                detail = tunnel_label(way) + ": the proxy closed the connection without answering: " + rec.message();
            co_return deadline_or(rec, errc::proxy_failed);
        }
        const auto& response = parser.get();
        connect_answer answer;
        answer.status = response.result_int();
        answer.reason = std::string(response.reason());
        if (auto it = response.find(http::field::proxy_authenticate); it != response.end())
            answer.proxy_authenticate = std::string(it->value());
        answer.data_after = buffer.size() != 0;
        co_return judge_connect_answer(way, answer, detail);
    }

    asio::awaitable<error_code> connect(const std::string& user_agent, std::string& detail)
    {
        const route& way = d.way;
        if (error_code ec = co_await d.lookup.resolve(detail))
            co_return ec;
        plain.reset();
        secure.reset();
        buffer.clear();
        if (d.config.origin.tls)
            secure.emplace(d.executor, d.tls_context);
        else
            plain.emplace(d.executor);
        beast::tcp_stream& stream = lowest();
        stream.expires_after(d.config.timeouts.connect);
        auto [ec, ep] = co_await stream.async_connect(d.lookup.endpoints(), use_tuple);
        if (ec) {
            d.lookup.forget(); // look the name up again next time: the address may have moved
            detail = "cannot connect to " + way.dial_label + ": " + ec.message();
            co_return deadline_or(ec, errc::connect_failed);
        }
        stream.socket().set_option(tcp::no_delay(true), ec);
        if (way.tunnel) {
            if (error_code tec = co_await open_tunnel(user_agent, detail)) {
                close();
                co_return tec;
            }
        }
        if (secure) {
            const bool verifying = !d.config.tls.insecure_skip_verify;
            expect_peer(secure->native_handle(), d.config.origin.host, way.host_is_ip, verifying);
            stream.expires_after(d.config.timeouts.tls_handshake);
            auto [hec] = co_await secure->async_handshake(ssl::stream_base::client, use_tuple);
            if (hec) {
                // Read before close(): the verify result belongs to this connection's SSL object.
                const auto bad_certificate = certificate_failure_of(secure->native_handle(), verifying);
                close();
                if (bad_certificate) {
                    detail = "certificate verify failed for " + way.host_header + way.via_proxy + ": " +
                             bad_certificate->text;
                    co_return make_error_code(bad_certificate->reason);
                }
                detail = "TLS handshake with " + way.host_header + way.via_proxy + " failed: " + hec.message();
                co_return deadline_or(hec, errc::tls_handshake_failed);
            }
        }
        open = true;
        co_return error_code{};
    }

    template <class Stream>
    asio::awaitable<exchange_result> exchange_on(Stream& stream, const prepared_request& request, bool& stale)
    {
        const route& way = d.way;
        exchange_result result;
        lowest().expires_after(d.config.timeouts.request);
        auto [wec, written] = co_await asio::async_write(stream, asio::buffer(request.bytes), use_tuple);
        result.bytes_sent = written;
        if (wec) {
            close();
            stale = wec != beast::error::timeout;
            result.error = deadline_or(wec, errc::connection_lost);
            result.detail = "sending to " + way.host_header + way.via_proxy + " failed: " + wec.message();
            co_return result;
        }
        // The bytes go through response_reader (pure, shared with fuzz_http_response): 1xx answers dropped,
        // every bound of docs/reliability.md R14 applied. Every read is under the request deadline set above.
        response_reader reader(d.config.max_response_body);
        for (auto step = reader.consume(buffer);;) {
            if (step == response_reader::step::need_more) {
                const std::size_t room = response_reader::max_read_buffer - buffer.size(); // > 0 here
                auto [rec, got] = co_await stream.async_read_some(buffer.prepare(room), use_tuple);
                buffer.commit(got);
                if (got != 0)
                    step = reader.consume(buffer);
                else if (rec == asio::error::eof)
                    step = reader.end_of_stream();
                else if (rec)
                    step = reader.transport_failed(rec);
                continue;
            }
            if (step == response_reader::step::failed) {
                close();
                // Nothing at all came back on a kept-alive connection: the server closed it
                // while idle, so the request never reached it and can be resent at once.
                stale = !reader.got_some() && reader.error() != errc::timeout;
                result.error = reader.error();
                result.detail = "reading the response from " + way.host_header + way.via_proxy +
                                " failed: " + reader.detail();
                co_return result;
            }
            break;
        }
        response_head& response = reader.head();
        result.status = response.status;
        result.retry_after = std::move(response.retry_after);
        result.body = std::move(response.body);
        if (response.body_too_large) {
            result.body_too_large = true;
            result.detail = "the response body from " + way.host_header + " is larger than " +
                            std::to_string(d.config.max_response_body) + " bytes";
        }
        // We never pipeline: bytes after a complete answer belong to no request, and left in the buffer
        // they would become the next request's answer. Close on any such framing doubt.
        if (!response.keep_alive || buffer.size() != 0)
            close();
        if (way.absolute_form && result.status == 407) {
            // Only a proxy sends 407: its credentials are missing or wrong, and a retry cannot help.
            result.error = make_error_code(errc::proxy_auth_required);
            result.detail = proxy_auth_detail(way, request.method, response.reason, response.proxy_authenticate);
        }
        co_return result;
    }

    asio::awaitable<exchange_result> attempt(const prepared_request& request, bool& stale)
    {
        if (!open) {
            exchange_result failed;
            if (error_code ec = co_await connect(request.user_agent, failed.detail)) {
                failed.error = ec;
                co_return failed;
            }
        }
        // Not a conditional expression: g++ 12 miscompiles co_await inside ?: (double destruction).
        exchange_result result;
        if (secure)
            result = co_await exchange_on(*secure, request, stale);
        else
            result = co_await exchange_on(*plain, request, stale);
        co_return result;
    }
};

connection::connection(dialer& shared) : impl_(std::make_unique<impl>(*shared.impl_)) {}

connection::~connection() = default;

bool connection::is_open() const noexcept
{
    return impl_->open;
}

void connection::close() noexcept
{
    impl_->close();
}

asio::awaitable<exchange_result> connection::attempt(const prepared_request& request, bool& stale)
{
    return impl_->attempt(request, stale);
}

} // namespace vwo::transport
