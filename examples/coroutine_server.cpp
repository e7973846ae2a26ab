// A Beast HTTP server whose request handler co_awaits vwo::client::async_push: the
// handler's coroutine is suspended (no thread blocked) until the collector confirmed
// delivery, then answers. The SDK's own I/O runs on the SDK thread; completions come
// back to the server's io_context.
//
// Usage: coroutine_server            self-test: serve on an ephemeral port, send 20 requests, exit
//        coroutine_server --serve P  serve on 127.0.0.1:P until killed (try: curl 127.0.0.1:P/?user=u1&plan=gold)

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string query_param(std::string_view target, std::string_view name)
{
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return {};
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        if (const auto eq = pair.find('='); eq != std::string_view::npos && pair.substr(0, eq) == name)
            return std::string(pair.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        rest.remove_prefix(amp + 1);
    }
    return {};
}

// One connection: read a request, push the visitor's plan to VWO, answer once delivered.
asio::awaitable<void> serve_connection(tcp::socket socket, vwo::client& vwo_client)
{
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        stream.expires_after(std::chrono::seconds(30));
        auto [rec, n] = co_await http::async_read(stream, buffer, request, use_tuple);
        if (rec)
            co_return;
        const std::string user = query_param(request.target(), "user");
        const std::string plan = query_param(request.target(), "plan");

        http::response<http::string_body> response{http::status::ok, request.version()};
        if (user.empty() || plan.empty()) {
            response.result(http::status::bad_request);
            response.body() = "need ?user=...&plan=...\n";
        } else {
            auto [ec, result] = co_await vwo_client.async_push("plan", plan, user, use_tuple);
            response.result(ec ? http::status::bad_gateway : http::status::ok);
            response.body() = ec ? "push failed: " + ec.message() + "\n" : "pushed plan=" + plan + "\n";
        }
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        auto [wec, w] = co_await http::async_write(stream, response, use_tuple);
        if (wec || !response.keep_alive())
            co_return;
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, vwo::client& vwo_client)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec)
            co_return;
        asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), vwo_client), asio::detached);
    }
}

// The self-test's visitor: n requests over one keep-alive connection.
asio::awaitable<void> visit(tcp::endpoint server, int n, int& ok, tcp::acceptor& acceptor)
{
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    co_await stream.async_connect(server, use_tuple);
    beast::flat_buffer buffer;
    for (int i = 0; i < n; ++i) {
        http::request<http::empty_body> request{
            http::verb::get, "/checkout?user=user-" + std::to_string(i) + "&plan=" + (i % 2 ? "gold" : "free"), 11};
        request.set(http::field::host, "127.0.0.1");
        stream.expires_after(std::chrono::seconds(10));
        auto [wec, w] = co_await http::async_write(stream, request, use_tuple);
        http::response<http::string_body> response;
        auto [rec, r] = co_await http::async_read(stream, buffer, response, use_tuple);
        if (wec || rec)
            break;
        ok += response.result() == http::status::ok;
    }
    acceptor.close(); // lets the server's io_context run out of work
}

} // namespace

int main(int argc, char** argv)
{
    const bool serve_forever = argc == 3 && std::string(argv[1]) == "--serve";
    vwo::tools::local_collector collector; // stands in for VWO; no account needed

    vwo::client_options options;
    options.settings_file =
        R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[]})";
    options.endpoint = collector.endpoint();
    vwo::client vwo_client = vwo::launch(options);

    asio::io_context server_ioc(1);
    const unsigned short port = serve_forever ? static_cast<unsigned short>(std::atoi(argv[2])) : 0;
    tcp::acceptor acceptor(server_ioc, {asio::ip::make_address("127.0.0.1"), port});
    asio::co_spawn(server_ioc, accept_loop(acceptor, vwo_client), asio::detached);
    std::printf("coroutine server on http://127.0.0.1:%u (collector %s)\n", acceptor.local_endpoint().port(),
                collector.endpoint().c_str());

    int ok = 0;
    constexpr int visits = 20;
    if (!serve_forever)
        asio::co_spawn(server_ioc, visit(acceptor.local_endpoint(), visits, ok, acceptor), asio::detached);
    server_ioc.run();

    vwo_client.shutdown();
    std::printf("%d/%d requests answered 200 after their push was delivered; collector received %zu pushes\n", ok,
                visits, collector.request_count());
    return ok == visits && collector.request_count() == static_cast<std::size_t>(visits) ? 0 : 1;
}
