// The only translation unit of the test proxy that includes Asio and Beast.
#include "connect_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace vwo::test {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto destructor_wait = std::chrono::seconds(2);

std::string base64(const std::string& in)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        for (int shift : {18, 12, 6, 0})
            out += alphabet[(n >> shift) & 63];
    }
    if (in.size() - i == 1) {
        const unsigned n = static_cast<unsigned char>(in[i]) << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += "==";
    } else if (in.size() - i == 2) {
        const unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

// A loopback destination "host:port" (authority form; IPv6 in brackets), or nullopt.
std::optional<tcp::endpoint> loopback_destination(std::string_view authority)
{
    std::string_view host;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos || authority.substr(close + 1, 1) != ":")
            return std::nullopt;
        host = authority.substr(1, close - 1);
        port = authority.substr(close + 2);
    } else {
        const auto colon = authority.rfind(':');
        if (colon == std::string_view::npos)
            return std::nullopt;
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    unsigned number = 0;
    for (const char c : port) {
        if (c < '0' || c > '9' || number > 65535)
            return std::nullopt;
        number = number * 10 + static_cast<unsigned>(c - '0');
    }
    if (port.empty() || number == 0 || number > 65535)
        return std::nullopt;
    asio::ip::address address;
    if (host == "localhost") {
        address = asio::ip::address_v4::loopback();
    } else {
        error_code ec;
        address = asio::ip::make_address(std::string(host), ec);
        if (ec || !address.is_loopback())
            return std::nullopt;
    }
    return tcp::endpoint(address, static_cast<std::uint16_t>(number));
}

// "http://host:port/path?q" → {"host:port", "/path?q"}; a missing port means 80.
std::optional<std::pair<std::string, std::string>> split_absolute(std::string_view target)
{
    constexpr std::string_view scheme = "http://";
    if (target.substr(0, scheme.size()) != scheme)
        return std::nullopt;
    target.remove_prefix(scheme.size());
    const auto slash = target.find('/');
    std::string authority(target.substr(0, slash));
    if (authority.empty())
        return std::nullopt;
    std::string path = slash == std::string_view::npos ? "/" : std::string(target.substr(slash));
    const bool has_port = authority.back() != ']' && authority.find(':') != std::string::npos &&
                          (authority.front() != '[' || authority.find("]:") != std::string::npos);
    if (!has_port)
        authority += ":80";
    return std::pair{std::move(authority), std::move(path)};
}

} // namespace

struct connect_proxy::impl {
    explicit impl(connect_proxy_options o) : options(std::move(o))
    {
        if (options.credentials)
            expected_authorization = "Basic " + base64(options.credentials->first + ":" + options.credentials->second);
        const tcp::endpoint ep(asio::ip::address_v4::loopback(), 0);
        acceptor.open(ep.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen(asio::socket_base::max_listen_connections);
        bound_port = acceptor.local_endpoint().port();
        start(accept_loop());
        thread = std::thread([this] { ioc.run(); });
    }

    ~impl()
    {
        asio::post(ioc, [this] {
            stopping = true;
            error_code ignored;
            acceptor.close(ignored);
            for (auto& weak : sockets)
                if (auto s = weak.lock())
                    s->close(ignored);
        });
        {
            std::unique_lock lock(mutex);
            cv.wait_for(lock, destructor_wait, [this] { return active == 0; });
        }
        ioc.stop();
        thread.join();
    }

    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    // Spawns a coroutine counted in `active`, so the destructor can wait for every one to end.
    void start(asio::awaitable<void> coroutine)
    {
        {
            std::lock_guard lock(mutex);
            ++active;
        }
        asio::co_spawn(ioc, std::move(coroutine), [this](const std::exception_ptr&) {
            std::lock_guard lock(mutex);
            --active;
            cv.notify_all();
        });
    }

    // io thread only.
    std::shared_ptr<tcp::socket> track(tcp::socket socket)
    {
        auto shared = std::make_shared<tcp::socket>(std::move(socket));
        std::erase_if(sockets, [](const std::weak_ptr<tcp::socket>& w) { return w.expired(); });
        sockets.push_back(shared);
        if (stopping) {
            error_code ignored;
            shared->close(ignored);
        }
        return shared;
    }

    asio::awaitable<void> accept_loop()
    {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec)
                co_return; // closed by the destructor
            std::uint64_t id = 0;
            {
                std::lock_guard lock(mutex);
                id = ++accepted;
                cv.notify_all();
            }
            start(session(track(std::move(socket)), id));
        }
    }

    std::size_t record(proxy_record r)
    {
        std::lock_guard lock(mutex);
        records.push_back(std::move(r));
        cv.notify_all();
        return records.size() - 1;
    }

    void set_status(std::size_t index, unsigned status)
    {
        std::lock_guard lock(mutex);
        records[index].status = status;
    }

    // The proxy's own answer (407, 403, 502, ...).
    static http::response<http::string_body> own_answer(unsigned status, unsigned version, bool keep_alive)
    {
        http::response<http::string_body> res{static_cast<http::status>(status), version};
        res.set(http::field::server, "vwo-test-proxy");
        res.set(http::field::content_type, "text/plain");
        if (status == 407)
            res.set(http::field::proxy_authenticate, "Basic realm=\"vwo-test\"");
        res.body() = "vwo-test-proxy: " + std::to_string(status) + "\n";
        res.keep_alive(keep_alive);
        res.prepare_payload();
        return res;
    }

    asio::awaitable<void> session(std::shared_ptr<tcp::socket> client, std::uint64_t id)
    {
        beast::flat_buffer buffer;
        std::shared_ptr<tcp::socket> upstream; // absolute-form forwarding: one keep-alive connection
        std::string upstream_authority;
        beast::flat_buffer upstream_buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            auto [rec, n] = co_await http::async_read(*client, buffer, parser, use_tuple);
            (void)n;
            if (rec)
                break;
            http::request<http::string_body> req = parser.release();
            proxy_record r;
            r.connection_id = id;
            r.method = std::string(req.method_string());
            r.target = std::string(req.target());
            if (auto it = req.find(http::field::host); it != req.end())
                r.host = std::string(it->value());
            if (auto it = req.find(http::field::proxy_authorization); it != req.end())
                r.proxy_authorization = std::string(it->value());
            const bool is_connect = req.method() == http::verb::connect;
            const bool authorized = !options.credentials || r.proxy_authorization == expected_authorization;
            const std::size_t index = record(std::move(r));

            unsigned refusal = 0;
            if (!authorized)
                refusal = 407;
            else if (options.refuse_status != 0)
                refusal = options.refuse_status;
            std::optional<tcp::endpoint> destination;
            std::optional<std::pair<std::string, std::string>> absolute;
            if (refusal == 0) {
                if (is_connect) {
                    destination = loopback_destination(req.target());
                } else if ((absolute = split_absolute(req.target()))) {
                    destination = loopback_destination(absolute->first);
                }
                if (!destination)
                    refusal = 403; // not loopback, or not a proxy request at all
            }
            if (refusal != 0) {
                set_status(index, refusal);
                const bool keep = !is_connect && req.keep_alive();
                const auto answer = own_answer(refusal, req.version(), keep);
                auto [wec, w] = co_await http::async_write(*client, answer, use_tuple);
                (void)w;
                if (wec || !keep)
                    break;
                continue;
            }

            if (is_connect) {
                auto target = track(tcp::socket(ioc));
                auto [cec] = co_await target->async_connect(*destination, use_tuple);
                if (cec) {
                    set_status(index, 502);
                    const auto answer = own_answer(502, req.version(), false);
                    co_await http::async_write(*client, answer, use_tuple);
                    break;
                }
                static constexpr std::string_view established = "HTTP/1.1 200 Connection established\r\n\r\n";
                auto [wec, w] = co_await asio::async_write(*client, asio::buffer(established), use_tuple);
                (void)w;
                if (wec)
                    break;
                set_status(index, 200);
                {
                    std::lock_guard lock(mutex);
                    ++tunnels;
                    ++open;
                }
                // Bytes the client sent after its CONNECT request belong to the tunnel.
                if (buffer.size() != 0) {
                    auto [fec, f] = co_await asio::async_write(*target, buffer.data(), use_tuple);
                    (void)f;
                    if (fec) {
                        tunnel_closed();
                        break;
                    }
                    buffer.consume(buffer.size());
                }
                auto directions = std::make_shared<int>(2);
                start(relay(target, client, directions));
                co_await relay(client, target, directions);
                co_return;
            }

            // Absolute form: forward in origin form over the upstream connection for this origin.
            if (!upstream || upstream_authority != absolute->first || !upstream->is_open()) {
                upstream = track(tcp::socket(ioc));
                upstream_buffer.clear();
                upstream_authority = absolute->first;
                auto [cec] = co_await upstream->async_connect(*destination, use_tuple);
                if (cec) {
                    upstream.reset();
                    set_status(index, 502);
                    const auto answer = own_answer(502, req.version(), req.keep_alive());
                    auto [wec, w] = co_await http::async_write(*client, answer, use_tuple);
                    (void)w;
                    if (wec || !req.keep_alive())
                        break;
                    continue;
                }
            }
            const bool client_keep_alive = req.keep_alive();
            req.target(absolute->second);
            req.erase(http::field::proxy_authorization);
            req.erase("Proxy-Connection");
            auto [uwec, uw] = co_await http::async_write(*upstream, req, use_tuple);
            (void)uw;
            http::response_parser<http::string_body> response;
            response.body_limit(64 * 1024 * 1024);
            error_code urec = uwec;
            if (!urec) {
                auto [ec2, un] = co_await http::async_read(*upstream, upstream_buffer, response, use_tuple);
                (void)un;
                urec = ec2;
            }
            if (urec) {
                upstream.reset();
                set_status(index, 502);
                const auto answer = own_answer(502, req.version(), client_keep_alive);
                auto [wec, w] = co_await http::async_write(*client, answer, use_tuple);
                (void)w;
                if (wec || !client_keep_alive)
                    break;
                continue;
            }
            http::response<http::string_body> res = response.release();
            set_status(index, res.result_int());
            if (!res.keep_alive())
                upstream.reset();
            res.keep_alive(client_keep_alive && res.keep_alive());
            const bool keep = res.keep_alive();
            auto [wec, w] = co_await http::async_write(*client, res, use_tuple);
            (void)w;
            if (wec || !keep)
                break;
        }
        error_code ignored;
        client->shutdown(tcp::socket::shutdown_both, ignored);
        client->close(ignored);
        if (upstream)
            upstream->close(ignored);
    }

    // Copies bytes from one side to the other; on end of stream passes the FIN on, on an error closes
    // both. The tunnel counts as closed when both directions ended (`directions` reaches 0).
    asio::awaitable<void> relay(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to,
                                std::shared_ptr<int> directions)
    {
        std::array<char, 16 * 1024> data;
        for (;;) {
            auto [rec, n] = co_await from->async_read_some(asio::buffer(data), use_tuple);
            if (rec) {
                error_code ignored;
                if (rec == asio::error::eof) {
                    to->shutdown(tcp::socket::shutdown_send, ignored);
                } else {
                    to->close(ignored);
                    from->close(ignored);
                }
                break;
            }
            auto [wec, w] = co_await asio::async_write(*to, asio::buffer(data.data(), n), use_tuple);
            (void)w;
            if (wec) {
                error_code ignored;
                to->close(ignored);
                from->close(ignored);
                break;
            }
        }
        if (--*directions == 0)
            tunnel_closed();
    }

    void tunnel_closed()
    {
        std::lock_guard lock(mutex);
        --open;
        cv.notify_all();
    }

    // Declared before the io_context, so they outlive the coroutine frames ~io_context destroys.
    connect_proxy_options options;
    std::string expected_authorization;
    mutable std::mutex mutex;
    mutable std::condition_variable cv;
    std::vector<proxy_record> records;
    std::size_t accepted = 0;
    std::size_t tunnels = 0;
    std::size_t open = 0;
    std::size_t active = 0;

    // io thread only
    std::vector<std::weak_ptr<tcp::socket>> sockets;
    bool stopping = false;

    asio::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::uint16_t bound_port = 0;
    std::thread thread;
};

connect_proxy::connect_proxy(connect_proxy_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

connect_proxy::~connect_proxy() = default;

std::uint16_t connect_proxy::port() const noexcept
{
    return impl_->bound_port;
}

std::string connect_proxy::url() const
{
    return "http://127.0.0.1:" + std::to_string(port());
}

std::string connect_proxy::url_with(const std::string& user, const std::string& password) const
{
    return "http://" + user + ":" + password + "@127.0.0.1:" + std::to_string(port());
}

std::vector<proxy_record> connect_proxy::requests() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->records;
}

std::vector<std::string> connect_proxy::lines() const
{
    std::vector<std::string> out;
    for (const auto& r : requests())
        out.push_back(r.line());
    return out;
}

std::size_t connect_proxy::request_count() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->records.size();
}

std::size_t connect_proxy::connections_accepted() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->accepted;
}

std::size_t connect_proxy::tunnels_opened() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->tunnels;
}

std::size_t connect_proxy::open_tunnels() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->open;
}

bool connect_proxy::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(impl_->mutex);
    return impl_->cv.wait_for(lock, timeout, [&] { return impl_->records.size() >= n; });
}

bool connect_proxy::wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(impl_->mutex);
    return impl_->cv.wait_for(lock, timeout, [&] { return impl_->accepted >= n; });
}

} // namespace vwo::test
