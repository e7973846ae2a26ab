// Live settings from a webhook (docs/settings.md): a Beast coroutine server that launches its client
// from the account id and SDK key (vwo::async_launch, no settings file), decides on GET /variation, and
// has a POST /vwo-webhook route for VWO to call when the account's settings change. The route checks an
// optional shared secret in constant time, then co_awaits async_get_and_update_settings_file: the next
// decision uses the new settings. No thread blocks anywhere.
//
// Usage: webhook_server            self-test against the embedded collector: the settings change, the
//                                  webhook fires, the next decision follows them; exits 0 when it did
//        webhook_server --serve P  serve on 127.0.0.1:P until killed. Try:
//                                    curl '127.0.0.1:P/variation?user=u1'
//                                    curl -X POST -H 'X-Webhook-Secret: s3cret' 127.0.0.1:P/vwo-webhook
// The secret comes from the environment variable VWO_WEBHOOK_SECRET (the self-test sets its own); when it
// is unset, the route takes any caller (put it behind your own authentication then).

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
#include <optional>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

/// An account with one A/B campaign whose only variation takes every visitor.
std::string account_settings(const std::string& variation)
{
    return R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[)"
           R"({"id":101,"key":"HOME","type":"VISUAL_AB","status":"RUNNING","percentTraffic":100,"segments":{},)"
           R"("goals":[],"variations":[{"id":1,"name":")" +
           variation + R"(","weight":100,"segments":{}}]}]})";
}

/// Compares a caller's secret with ours in time that depends only on the length of ours, so the answer's
/// timing tells an attacker nothing about how much of a guess was right.
bool same_secret(std::string_view given, std::string_view expected)
{
    unsigned char difference = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < expected.size(); ++i)
        difference |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
    return difference == 0;
}

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

struct server_state {
    vwo::client vwo_client;
    std::optional<std::string> secret; ///< the webhook's shared secret, when configured
};

asio::awaitable<http::response<http::string_body>> handle(const http::request<http::string_body>& request,
                                                          server_state& state)
{
    http::response<http::string_body> response{http::status::ok, request.version()};
    const std::string_view target = request.target();
    if (request.method() == http::verb::post && target == "/vwo-webhook") {
        if (state.secret && !same_secret(request["X-Webhook-Secret"], *state.secret)) {
            response.result(http::status::unauthorized);
            response.body() = "wrong or missing X-Webhook-Secret\n";
            co_return response;
        }
        auto [ec, changed] = co_await state.vwo_client.async_get_and_update_settings_file(use_tuple);
        if (ec) {
            response.result(http::status::bad_gateway);
            response.body() = "settings not updated: " + ec.message() + "\n";
        } else {
            response.body() = changed ? "settings updated\n" : "settings unchanged\n";
        }
    } else if (request.method() == http::verb::get && target.starts_with("/variation?")) {
        const std::string user = query_param(target, "user");
        auto [ec, name] = co_await state.vwo_client.async_get_variation_name("HOME", user, use_tuple);
        response.body() = (name ? *name : "none (" + ec.message() + ")") + "\n";
    } else {
        response.result(http::status::not_found);
        response.body() = "POST /vwo-webhook or GET /variation?user=...\n";
    }
    co_return response;
}

asio::awaitable<void> serve_connection(tcp::socket socket, server_state& state)
{
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024); // a webhook body is small; refuse anything larger
        stream.expires_after(std::chrono::seconds(30));
        auto [rec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (rec)
            co_return;
        const auto request = parser.release();
        auto response = co_await handle(request, state);
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        auto [wec, w] = co_await http::async_write(stream, response, use_tuple);
        if (wec || !response.keep_alive())
            co_return;
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, server_state& state)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec)
            co_return;
        asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), state), asio::detached);
    }
}

/// One request from the self-test's visitor; the body, or "" when the exchange failed.
asio::awaitable<std::pair<unsigned, std::string>> call(tcp::endpoint server, http::verb verb, std::string target,
                                                       std::string secret = {})
{
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    co_await stream.async_connect(server, use_tuple);
    http::request<http::empty_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!secret.empty())
        request.set("X-Webhook-Secret", secret);
    auto [wec, w] = co_await http::async_write(stream, request, use_tuple);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [rec, r] = co_await http::async_read(stream, buffer, response, use_tuple);
    if (wec || rec)
        co_return std::pair<unsigned, std::string>{0, ""};
    co_return std::pair<unsigned, std::string>{response.result_int(), response.body()};
}

/// The self-test: VWO's settings change, the webhook fires, the next decision follows.
asio::awaitable<void> self_test(tcp::endpoint server, vwo::tools::local_collector& collector, int& passed,
                                tcp::acceptor& acceptor)
{
    auto check = [&](bool ok, const char* what) {
        std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
        passed += ok;
    };
    auto [s1, before] = co_await call(server, http::verb::get, "/variation?user=u1");
    check(before == "Control\n", "decides on the settings fetched at launch");

    vwo::tools::scripted_response changed; // someone changes the campaign in VWO ...
    changed.body = account_settings("Variation-1");
    collector.set_path_response("/server-side/pull", changed);

    auto [s2, refused] = co_await call(server, http::verb::post, "/vwo-webhook", "guess");
    check(s2 == 401, "refuses a wrong secret");
    auto [s3, hooked] = co_await call(server, http::verb::post, "/vwo-webhook", "s3cret"); // ... VWO calls us
    check(s3 == 200 && hooked == "settings updated\n", "the webhook updates the settings");
    auto [s4, after] = co_await call(server, http::verb::get, "/variation?user=u1");
    check(after == "Variation-1\n", "the next decision uses them");
    acceptor.close(); // lets the server's io_context run out of work
}

asio::awaitable<void> run_server(vwo::client_options options, tcp::acceptor& acceptor, bool serve_forever,
                                 vwo::tools::local_collector& collector, server_state& state, int& passed)
{
    // Launch from keys without blocking the server's thread: the settings are fetched first.
    auto [ec, launched] = co_await vwo::async_launch(std::move(options), use_tuple);
    if (ec) {
        std::printf("launch failed: %s\n", ec.message().c_str());
        acceptor.close();
        co_return;
    }
    state.vwo_client = std::move(launched);
    asio::co_spawn(acceptor.get_executor(), accept_loop(acceptor, state), asio::detached);
    if (!serve_forever)
        co_await self_test(acceptor.local_endpoint(), collector, passed, acceptor);
}

} // namespace

int main(int argc, char** argv)
{
    const bool serve_forever = argc == 3 && std::string(argv[1]) == "--serve";
    vwo::tools::local_collector collector; // stands in for VWO; no account needed
    vwo::tools::scripted_response settings;
    settings.body = account_settings("Control");
    collector.set_path_response("/server-side/settings", settings);
    collector.set_path_response("/server-side/pull", settings);

    vwo::client_options options;
    options.account_id = "123456";
    options.sdk_key = "abcdef0123456789abcdef0123456789";
    options.endpoint = collector.endpoint();

    std::optional<std::string> secret;
    if (const char* s = std::getenv("VWO_WEBHOOK_SECRET"))
        secret = s;
    if (!serve_forever)
        secret = "s3cret";

    asio::io_context server_ioc(1);
    const unsigned short port = serve_forever ? static_cast<unsigned short>(std::atoi(argv[2])) : 0;
    tcp::acceptor acceptor(server_ioc, {asio::ip::make_address("127.0.0.1"), port});
    std::printf("webhook server on http://127.0.0.1:%u (collector %s)\n", acceptor.local_endpoint().port(),
                collector.endpoint().c_str());
    server_state state{vwo::client{}, std::move(secret)};
    int passed = 0;
    asio::co_spawn(server_ioc, run_server(options, acceptor, serve_forever, collector, state, passed),
                   asio::detached);
    server_ioc.run();

    const auto stats = state.vwo_client.stats();
    state.vwo_client.shutdown();
    std::printf("%d/4 checks passed; settings refreshes: %llu attempted, %llu updated\n", passed,
                static_cast<unsigned long long>(stats.settings_refreshes_attempted),
                static_cast<unsigned long long>(stats.settings_updated));
    return passed == 4 && stats.settings_updated == 1 ? 0 : 1;
}
