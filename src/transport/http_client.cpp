#include "transport/http_client.hpp"
#include "transport/response_reader.hpp"

#include <vwo/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace vwo::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);


bool is_ip_literal(const std::string& host)
{
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// Makes the client TLS context once per client: TLS 1.2 or newer, the system trust
// store (OpenSSL honours SSL_CERT_FILE / SSL_CERT_DIR there) plus the configured CAs.
ssl::context make_tls_context(const tls_options& options)
{
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    error_code ec;
    ctx.set_default_verify_paths(ec); // a machine without a CA store still works with ca_file
    if (!options.ca_file.empty()) {
        ctx.load_verify_file(options.ca_file, ec);
        if (ec)
            throw transport_setup_error("tls.ca_file \"" + options.ca_file + "\" cannot be loaded: " + ec.message());
    }
    if (!options.ca_dir.empty()) {
        ctx.add_verify_path(options.ca_dir, ec);
        if (ec)
            throw transport_setup_error("tls.ca_dir \"" + options.ca_dir + "\" cannot be used: " + ec.message());
    }
    ctx.set_verify_mode(options.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
    return ctx;
}

transport_config with_resolver(transport_config config)
{
    if (!config.resolver)
        config.resolver = system_resolver();
    return config;
}

// Maps OpenSSL's verify result (SSL_get_verify_result) to the distinct R10 error codes.
errc certificate_error(long verify_result) noexcept
{
    switch (verify_result) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
        return errc::certificate_untrusted;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return errc::certificate_expired;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return errc::certificate_hostname_mismatch;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return errc::certificate_self_signed;
    default:
        return errc::certificate_verification_failed;
    }
}

// A header value that would end the header early or smuggle another one (RFC 9110 5.5): CR, LF, NUL.
// Everything we send is built by us, but parts come from the settings and the caller.
bool unsafe_header_value(std::string_view value) noexcept
{
    return value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// "host:port" with the port always present (IPv6 in brackets): the CONNECT request target.
std::string authority_of(const core::endpoint& origin)
{
    const bool ipv6 = origin.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + origin.host + "]" : origin.host) + ":" + std::to_string(origin.port);
}

} // namespace

// One keep-alive connection slot. Owned by impl, used by exactly one worker coroutine.
// Thread-safety: touched only on the pool's executor, by its one worker and by close_all().
struct connection_slot {
    explicit connection_slot(const asio::any_io_executor& ex) : buffer(response_reader::max_read_buffer), wake(ex) {}

    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    // Bounded (response_reader::max_read_buffer): Beast keeps a chunk-size line with its extensions, and
    // the trailer section, whole in this buffer until it ends, and puts no limit of its own on either. A
    // peer that never ends one gets errc::response_too_large instead of our memory.
    beast::flat_buffer buffer;
    asio::steady_timer wake; // an idle worker waits on it; cancel() hands it work
    bool open = false;

    beast::tcp_stream& lowest() { return secure ? secure->next_layer() : *plain; }

    void close()
    {
        if (secure || plain) {
            error_code ignored;
            lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
            lowest().socket().close(ignored);
        }
        open = false;
    }
};

struct pending_send {
    std::shared_ptr<const core::wire_request> request;
    exchange_handler handler;
};

struct http_client::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, transport_config cfg)
        : executor(std::move(ex)), config(with_resolver(std::move(cfg))),
          tls_context(make_tls_context(config.tls)), host_header(config.origin.host_header()),
          host_is_ip(is_ip_literal(config.origin.host))
    {
        gate->executor = executor;
        if (config.proxy) {
            dial_host = config.proxy->host;
            dial_port = config.proxy->port;
            dial_label = "proxy " + config.proxy->authority();
            tunnel = config.origin.tls;
            absolute_form = !config.origin.tls;
            origin_authority = authority_of(config.origin);
            proxy_authorization = config.proxy->basic_authorization();
            via_proxy = " through " + dial_label;
        } else {
            dial_host = config.origin.host;
            dial_port = config.origin.port;
            dial_label = host_header;
        }
        dial_is_ip = is_ip_literal(dial_host);
    }

    asio::any_io_executor executor;
    transport_config config;
    ssl::context tls_context;
    std::string host_header;
    bool host_is_ip; // of the origin: decides SNI and the certificate check, also through a tunnel

    // Where TCP connections go: the origin, or the proxy when there is one.
    std::string dial_host;
    std::uint16_t dial_port = 0;
    bool dial_is_ip = false;
    std::string dial_label;          // "proxy 127.0.0.1:3128" or the Host header, for messages
    bool tunnel = false;             // https origin through the proxy: CONNECT, then TLS with the origin
    bool absolute_form = false;      // http origin through the proxy: "GET http://host/path"
    std::string origin_authority;    // "host:port" for CONNECT
    std::string proxy_authorization; // "Basic ..." or empty
    std::string via_proxy;           // " through proxy host:port" or empty, for messages

    std::deque<pending_send> queue;
    std::vector<std::unique_ptr<connection_slot>> slots;
    std::vector<connection_slot*> idle; // most recently used last
    std::vector<tcp::endpoint> resolved; // cached for the client's lifetime once resolved
    bool closed = false;

    // Resolver threads post back through this while the executor is known to be alive; it
    // holds the only executor copy they can reach, so once close_all() empties it a late
    // callback neither posts to nor (by destroying a copy) touches a dead io_context.
    struct resolve_gate {
        std::mutex mutex;
        std::optional<asio::any_io_executor> executor;
    };
    std::shared_ptr<resolve_gate> gate = std::make_shared<resolve_gate>();

    void submit(pending_send send)
    {
        if (closed) {
            exchange_result r;
            r.error = make_error_code(errc::shutting_down);
            asio::post(executor, [h = std::move(send.handler), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
            return;
        }
        queue.push_back(std::move(send));
        if (!idle.empty()) {
            connection_slot* slot = idle.back();
            idle.pop_back();
            slot->wake.cancel();
        } else if (slots.size() < std::max<std::size_t>(1, config.max_connections)) {
            slots.push_back(std::make_unique<connection_slot>(executor));
            asio::co_spawn(executor, worker(shared_from_this(), slots.back().get()), asio::detached);
        }
    }

    void close_all()
    {
        {
            std::lock_guard lock(gate->mutex);
            gate->executor.reset();
        }
        closed = true;
        for (auto& slot : slots) {
            slot->close();
            slot->wake.cancel();
        }
        idle.clear();
        auto left = std::move(queue);
        queue.clear();
        for (auto& send : left) {
            exchange_result r;
            r.error = make_error_code(errc::shutting_down);
            asio::post(executor, [h = std::move(send.handler), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
        }
    }

    // Takes queued requests one at a time over its own connection; parks itself as
    // idle when there is nothing to do. `self` keeps the pool alive while it runs.
    static asio::awaitable<void> worker(std::shared_ptr<impl> self, connection_slot* slot)
    {
        for (;;) {
            if (self->closed)
                co_return;
            if (self->queue.empty()) {
                self->idle.push_back(slot);
                slot->wake.expires_at(asio::steady_timer::time_point::max());
                co_await slot->wake.async_wait(use_tuple);
                continue;
            }
            pending_send send = std::move(self->queue.front());
            self->queue.pop_front();
            exchange_result result;
            // Nothing thrown may end the worker: its connection slot would be dead for the pool's life and
            // the handler never called. Whatever throws is this request's error (docs/reliability.md R2).
            try {
                result = co_await self->exchange(*slot, *send.request);
            } catch (const std::exception& e) {
                slot->close();
                result = exchange_result{};
                result.error = make_error_code(errc::connection_lost);
                result.detail = std::string("the exchange with ") + self->host_header + " failed: " + e.what();
            }
            if (self->closed && result.error)
                result.error = make_error_code(errc::shutting_down);
            try {
                std::move(send.handler)(std::move(result));
            } catch (...) {
                // The engine's handler contains its users' exceptions (client_impl::post_completion); this
                // only keeps the worker, and so its connection slot, alive whatever happens there.
            }
        }
    }

    asio::awaitable<error_code> resolve(std::string& detail)
    {
        if (!resolved.empty())
            co_return error_code{};
        if (dial_is_ip) {
            resolved.emplace_back(asio::ip::make_address(dial_host), dial_port);
            co_return error_code{};
        }
        // A lookup cannot be cancelled: wait on our own timer and leave a hung one behind.
        // Its late answer reaches the executor only while the gate is open (see close_all).
        struct lookup {
            explicit lookup(const asio::any_io_executor& ex) : done(ex) {}
            asio::steady_timer done;
            error_code ec;
            std::vector<tcp::endpoint> endpoints;
            bool finished = false;
        };
        auto state = std::make_shared<lookup>(executor);
        state->done.expires_after(config.timeouts.resolve);
        // The callback may outlive the client (a resolver thread still blocked), so it holds
        // the lookup only weakly: owning it would destroy its timer after the io_context.
        std::weak_ptr<lookup> weak_state = state;
        config.resolver(dial_host, dial_port,
                        [weak_state, gate = gate](error_code ec, std::vector<tcp::endpoint> endpoints) {
                            std::lock_guard lock(gate->mutex);
                            if (!gate->executor)
                                return;
                            asio::post(*gate->executor, [weak_state, ec, endpoints = std::move(endpoints)]() mutable {
                                auto state = weak_state.lock();
                                if (!state || state->finished)
                                    return;
                                state->ec = ec;
                                state->endpoints = std::move(endpoints);
                                state->finished = true;
                                state->done.cancel();
                            });
                        });
        co_await state->done.async_wait(use_tuple);
        if (!state->finished) {
            state->finished = true; // a late answer is ignored
            detail = "resolving " + std::string(config.proxy ? "proxy host " : "") + dial_host +
                     " took longer than the resolve deadline";
            co_return make_error_code(errc::timeout);
        }
        if (state->ec || state->endpoints.empty()) {
            detail = "cannot resolve " + std::string(config.proxy ? "proxy host " : "") + dial_host + ": " +
                     state->ec.message();
            co_return make_error_code(errc::resolve_failed);
        }
        resolved = std::move(state->endpoints);
        co_return error_code{};
    }

    // The CONNECT exchange on a fresh TCP connection to the proxy: one deadline (timeouts.connect)
    // for writing the request and reading the answer's header. A 2xx answer to CONNECT has no body,
    // and after it the connection is a byte pipe to the origin.
    asio::awaitable<error_code> open_tunnel(connection_slot& slot, const std::string& user_agent, std::string& detail)
    {
        beast::tcp_stream& stream = slot.lowest();
        http::request<http::empty_body> req{http::verb::connect, origin_authority, 11};
        req.set(http::field::host, origin_authority);
        if (!user_agent.empty())
            req.set(http::field::user_agent, user_agent);
        if (!proxy_authorization.empty())
            req.set(http::field::proxy_authorization, proxy_authorization);
        req.set("Proxy-Connection", "Keep-Alive"); // as libcurl sends it
        const std::string what = "CONNECT " + origin_authority + " via " + dial_label;

        stream.expires_after(config.timeouts.connect);
        auto [wec, written] = co_await http::async_write(stream, req, use_tuple);
        (void)written;
        if (wec) {
            detail = what + ": sending the request failed: " + wec.message();
            co_return deadline_or(wec, errc::proxy_failed);
        }
        http::response_parser<http::empty_body> parser;
        parser.header_limit(response_reader::max_header);
        auto [rec, read] = co_await http::async_read_header(stream, slot.buffer, parser, use_tuple);
        (void)read;
        if (rec) {
            if (rec == beast::error::timeout)
                detail = what + ": no answer within the connect deadline";
            else if (parser.got_some())
                detail = what + ": malformed answer: " + rec.message();
            else
                detail = what + ": the proxy closed the connection without answering: " + rec.message();
            co_return deadline_or(rec, errc::proxy_failed);
        }
        const auto& response = parser.get();
        const unsigned status = response.result_int();
        if (status >= 200 && status <= 299) {
            if (slot.buffer.size() != 0) {
                detail = what + ": the proxy sent data after its " + std::to_string(status) + " answer";
                co_return make_error_code(errc::proxy_failed);
            }
            co_return error_code{};
        }
        detail = what + ": the proxy answered " + std::to_string(status) + " " + std::string(response.reason());
        if (status == 407) {
            detail += config.proxy->has_credentials ? " (it refused the credentials in the proxy URL"
                                                    : " (no credentials in the proxy URL";
            if (auto it = response.find(http::field::proxy_authenticate); it != response.end())
                detail += "; Proxy-Authenticate: " + std::string(it->value());
            detail += ")";
            co_return make_error_code(errc::proxy_auth_required);
        }
        const bool transient = status == 408 || status == 429 || (status >= 500 && status <= 599);
        co_return make_error_code(transient ? errc::proxy_failed : errc::proxy_rejected);
    }

    asio::awaitable<error_code> connect(connection_slot& slot, const std::string& user_agent, std::string& detail)
    {
        if (error_code ec = co_await resolve(detail))
            co_return ec;
        slot.plain.reset();
        slot.secure.reset();
        slot.buffer.clear();
        if (config.origin.tls)
            slot.secure.emplace(executor, tls_context);
        else
            slot.plain.emplace(executor);
        beast::tcp_stream& stream = slot.lowest();
        stream.expires_after(config.timeouts.connect);
        auto [ec, ep] = co_await stream.async_connect(resolved, use_tuple);
        if (ec) {
            resolved.clear(); // look the name up again next time: the address may have moved
            detail = "cannot connect to " + dial_label + ": " + ec.message();
            co_return deadline_or(ec, errc::connect_failed);
        }
        stream.socket().set_option(tcp::no_delay(true), ec);
        if (tunnel) {
            if (error_code tec = co_await open_tunnel(slot, user_agent, detail)) {
                slot.close();
                co_return tec;
            }
        }
        if (slot.secure) {
            SSL* native = slot.secure->native_handle();
            // RFC 6066: SNI carries host names only, never address literals.
            if (!host_is_ip)
                SSL_set_tlsext_host_name(native, config.origin.host.c_str());
            // OpenSSL's own host check, not Asio's callback: a mismatch then reports the specific
            // X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH instead of a generic failure.
            if (!config.tls.insecure_skip_verify) {
                X509_VERIFY_PARAM* param = SSL_get0_param(native);
                if (host_is_ip)
                    X509_VERIFY_PARAM_set1_ip_asc(param, config.origin.host.c_str());
                else
                    SSL_set1_host(native, config.origin.host.c_str());
            }
            stream.expires_after(config.timeouts.tls_handshake);
            auto [hec] = co_await slot.secure->async_handshake(ssl::stream_base::client, use_tuple);
            if (hec) {
                // With verify_none OpenSSL still records a verify result, but it did not cause the
                // failure: only a verifying client reports a certificate error.
                const long verify = config.tls.insecure_skip_verify ? X509_V_OK : SSL_get_verify_result(native);
                slot.close();
                if (verify != X509_V_OK) {
                    const errc reason = certificate_error(verify);
                    detail = std::string("certificate verify failed for ") + host_header + via_proxy + ": " +
                             X509_verify_cert_error_string(verify) + " (X509 error " + std::to_string(verify) + ")";
                    co_return make_error_code(reason);
                }
                detail = "TLS handshake with " + host_header + via_proxy + " failed: " + hec.message();
                co_return deadline_or(hec, errc::tls_handshake_failed);
            }
        }
        slot.open = true;
        co_return error_code{};
    }

    // Builds the message, or says why it cannot be sent safely (a header value with CR/LF/NUL would
    // inject headers or a second request; Beast throws for a field past its size limit).
    std::optional<http::request<http::string_body>> make_message(const core::wire_request& request,
                                                                std::string& why) const
    {
        for (std::string_view value : {std::string_view(request.user_agent), std::string_view(request.authorization),
                                       std::string_view(request.content_type),
                                       std::string_view(request.device_user_agent),
                                       std::string_view(request.forwarded_for), std::string_view(request.target)}) {
            if (unsafe_header_value(value)) {
                why = "a header value or the request target holds CR, LF or NUL";
                return std::nullopt;
            }
        }
        try {
            return build_message(request);
        } catch (const std::exception& e) {
            why = std::string("the request cannot be built: ") + e.what();
            return std::nullopt;
        }
    }

    http::request<http::string_body> build_message(const core::wire_request& request) const
    {
        // Through a proxy, a plain-http request names its origin in absolute form (RFC 9112 3.2.2).
        http::request<http::string_body> msg{request.method == core::http_method::get ? http::verb::get
                                                                                     : http::verb::post,
                                             absolute_form ? "http://" + host_header + request.target : request.target,
                                             11};
        msg.set(http::field::host, host_header);
        if (absolute_form && !proxy_authorization.empty())
            msg.set(http::field::proxy_authorization, proxy_authorization);
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

    template <class Stream>
    asio::awaitable<exchange_result> exchange_on(Stream& stream, connection_slot& slot,
                                                 const http::request<http::string_body>& msg, bool& stale)
    {
        exchange_result result;
        slot.lowest().expires_after(config.timeouts.request);
        auto [wec, written] = co_await http::async_write(stream, msg, use_tuple);
        result.bytes_sent = written;
        if (wec) {
            slot.close();
            stale = wec != beast::error::timeout;
            result.error = deadline_or(wec, errc::connection_lost);
            result.detail = "sending to " + host_header + via_proxy + " failed: " + wec.message();
            co_return result;
        }
        // The bytes go through response_reader (pure, shared with fuzz_http_response): 1xx answers dropped,
        // every bound of docs/reliability.md R14 applied. Every read is under the request deadline set above.
        response_reader reader(config.max_response_body);
        for (auto step = reader.consume(slot.buffer);;) {
            if (step == response_reader::step::need_more) {
                const std::size_t room = response_reader::max_read_buffer - slot.buffer.size(); // > 0 here
                auto [rec, got] = co_await stream.async_read_some(slot.buffer.prepare(room), use_tuple);
                slot.buffer.commit(got);
                if (got != 0)
                    step = reader.consume(slot.buffer);
                else if (rec == asio::error::eof)
                    step = reader.end_of_stream();
                else if (rec)
                    step = reader.transport_failed(rec);
                continue;
            }
            if (step == response_reader::step::failed) {
                slot.close();
                // Nothing at all came back on a kept-alive connection: the server closed it
                // while idle, so the request never reached it and can be resent at once.
                stale = !reader.got_some() && reader.error() != errc::timeout;
                result.error = reader.error();
                result.detail = "reading the response from " + host_header + via_proxy + " failed: " + reader.detail();
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
            result.detail = "the response body from " + host_header + " is larger than " +
                            std::to_string(config.max_response_body) + " bytes";
        }
        // We never pipeline: bytes after a complete answer belong to no request, and left in the buffer
        // they would become the next request's answer. Close on any such framing doubt.
        if (!response.keep_alive || slot.buffer.size() != 0)
            slot.close();
        if (absolute_form && result.status == 407) {
            // Only a proxy sends 407: its credentials are missing or wrong, and a retry cannot help.
            result.error = make_error_code(errc::proxy_auth_required);
            result.detail = dial_label + " answered 407 " + response.reason + " to " +
                            std::string(msg.method_string()) + " http://" + host_header + "/...";
            result.detail += config.proxy->has_credentials ? " (it refused the credentials in the proxy URL"
                                                           : " (no credentials in the proxy URL";
            if (response.proxy_authenticate)
                result.detail += "; Proxy-Authenticate: " + *response.proxy_authenticate;
            result.detail += ")";
        }
        co_return result;
    }

    asio::awaitable<exchange_result> exchange(connection_slot& slot, const core::wire_request& request)
    {
        std::string why;
        const auto msg = make_message(request, why);
        if (!msg) {
            exchange_result refused;
            refused.error = make_error_code(errc::request_not_sendable);
            refused.detail = "not sent to " + host_header + ": " + why;
            co_return refused;
        }
        std::size_t bytes = 0;
        for (int attempt = 0;; ++attempt) {
            const bool reused = slot.open;
            if (!slot.open) {
                exchange_result failed;
                if (error_code ec = co_await connect(slot, request.user_agent, failed.detail)) {
                    failed.error = ec;
                    failed.bytes_sent = bytes;
                    co_return failed;
                }
            }
            bool stale = false;
            // Not a conditional expression: g++ 12 miscompiles co_await inside ?: (double destruction).
            exchange_result result;
            if (slot.secure)
                result = co_await exchange_on(*slot.secure, slot, *msg, stale);
            else
                result = co_await exchange_on(*slot.plain, slot, *msg, stale);
            bytes += result.bytes_sent;
            result.bytes_sent = bytes;
            if (result.error && stale && reused && attempt == 0 && !closed)
                continue; // one transparent resend on a fresh connection
            co_return result;
        }
    }
};

void release_thread_state() noexcept
{
    OPENSSL_thread_stop();
}

resolve_function system_resolver()
{
    return [](const std::string& host, std::uint16_t port, resolve_callback done) {
        std::thread([host, port, done = std::move(done)] {
            addrinfo hints{};
            hints.ai_family = AF_UNSPEC;
            hints.ai_socktype = SOCK_STREAM;
            addrinfo* list = nullptr;
            const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
            std::vector<tcp::endpoint> endpoints;
            if (rc == 0) {
                for (addrinfo* a = list; a; a = a->ai_next) {
                    if (a->ai_family == AF_INET)
                        endpoints.emplace_back(
                            asio::ip::address_v4(ntohl(reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr.s_addr)),
                            port);
                    else if (a->ai_family == AF_INET6) {
                        asio::ip::address_v6::bytes_type bytes;
                        std::memcpy(bytes.data(), &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, 16);
                        endpoints.emplace_back(asio::ip::address_v6(bytes), port);
                    }
                }
                ::freeaddrinfo(list);
            }
            // Decide before the call: the by-value vector parameter may be move-constructed from
            // `endpoints` before the other argument is evaluated (g++ does, right to left).
            const error_code ec = rc == 0 && !endpoints.empty() ? error_code{} : asio::error::host_not_found;
            done(ec, std::move(endpoints));
        }).detach();
    };
}

http_client::http_client(asio::any_io_executor executor, transport_config config)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(config)))
{
}

http_client::~http_client()
{
    // Normally close() already ran on the executor at the end of the client's shutdown, and the
    // destructor may run on another thread (a user's executor keeps running): the workers that
    // close() woke can still be finishing there, so the pool must not be touched again. Reading
    // `closed` is safe: the shutdown that wrote it happened-before the client's destruction.
    if (!impl_->closed)
        impl_->close_all();
}

void http_client::async_send(std::shared_ptr<const core::wire_request> request, exchange_handler handler)
{
    impl_->submit(pending_send{std::move(request), std::move(handler)});
}

void http_client::close()
{
    impl_->close_all();
}

} // namespace vwo::transport
