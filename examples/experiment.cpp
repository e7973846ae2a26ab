// An A/B test end to end inside a Beast coroutine server: each checkout request activates the
// visitor in the "CHECKOUT_CTA" campaign, pushes their plan as a custom dimension, tracks the
// "purchase" revenue goal, then answers with the variation to show. The handler's coroutine is
// suspended (no thread blocked) while VWO's collector confirms each step.
//
// Usage: experiment            self-test: serve on an ephemeral port, check out a few visitors, verify
//                              what the collector received, exit non-zero if anything is missing
//        experiment --serve P  serve on 127.0.0.1:P until killed
//                              (try: curl '127.0.0.1:P/checkout?user=u1&plan=gold&amount=49.9')

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

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Normally fetched with vwo::get_settings_file; embedded so the example needs no VWO account.
constexpr const char* settings = R"json({
  "accountId": 123456, "sdkKey": "abcdef0123456789abcdef0123456789", "version": 1,
  "campaigns": [
    {"id": 7, "key": "CHECKOUT_CTA", "type": "VISUAL_AB", "status": "RUNNING", "percentTraffic": 100,
     "segments": {},
     "goals": [{"id": 1, "identifier": "purchase", "type": "REVENUE_TRACKING", "revenueProp": "amount"}],
     "variations": [{"id": 1, "name": "Control", "weight": 50}, {"id": 2, "name": "Variation-1", "weight": 50}]}
  ]
})json";

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

// The experiment itself: activate → push → track, each step awaited.
asio::awaitable<http::response<http::string_body>> checkout(const http::request<http::string_body>& request,
                                                            vwo::client& vwo_client)
{
    http::response<http::string_body> response{http::status::ok, request.version()};
    const std::string user = query_param(request.target(), "user");
    const std::string plan = query_param(request.target(), "plan");
    const std::string amount_text = query_param(request.target(), "amount");
    double amount = 0;
    const auto [end, parse_ec] = std::from_chars(amount_text.data(), amount_text.data() + amount_text.size(), amount);
    if (user.empty() || plan.empty() || parse_ec != std::errc{} || end != amount_text.data() + amount_text.size()) {
        response.result(http::status::bad_request);
        response.body() = "need /checkout?user=...&plan=...&amount=<number>\n";
        co_return response;
    }

    // No call_options argument here: g++ 12 destroys a braced `{}` temporary inside a co_await
    // expression twice (GCC PR c++/99576, fixed in GCC 13), so use the overload without options,
    // or a named vwo::call_options variable as for the goal below.
    auto [activate_ec, variation] = co_await vwo_client.async_activate("CHECKOUT_CTA", user, use_tuple);
    if (!variation) {
        // No decision (paused campaign, outside the traffic, ...): show the default page, track nothing.
        response.body() = "variation=none (" + activate_ec.message() + ")\n";
        co_return response;
    }
    // An impression that failed to arrive still leaves the user bucketed: keep showing *variation,
    // but tell the caller (a real server would log and move on).
    if (activate_ec)
        response.result(http::status::bad_gateway);

    // Custom dimensions let reports be split by plan.
    auto [push_ec, pushed] = co_await vwo_client.async_push("plan", plan, user, use_tuple);
    if (push_ec)
        response.result(http::status::bad_gateway);

    // A REVENUE_TRACKING goal is only converted with a revenue value.
    vwo::call_options purchase;
    purchase.revenue_value = amount;
    auto [track_ec, tracked] = co_await vwo_client.async_track("CHECKOUT_CTA", user, "purchase", purchase, use_tuple);
    if (track_ec || !tracked.ok())
        response.result(http::status::bad_gateway);

    response.body() = "variation=" + *variation + "\n";
    co_return response;
}

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
        auto response = co_await checkout(request, vwo_client);
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

struct visitor {
    std::string user, plan, amount;
};

// The self-test's shoppers: one checkout each over a keep-alive connection.
asio::awaitable<void> shop(tcp::endpoint server, const std::vector<visitor>& visitors, int& ok,
                           tcp::acceptor& acceptor)
{
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    co_await stream.async_connect(server, use_tuple);
    beast::flat_buffer buffer;
    for (const auto& v : visitors) {
        http::request<http::empty_body> request{
            http::verb::get, "/checkout?user=" + v.user + "&plan=" + v.plan + "&amount=" + v.amount, 11};
        request.set(http::field::host, "127.0.0.1");
        stream.expires_after(std::chrono::seconds(10));
        auto [wec, w] = co_await http::async_write(stream, request, use_tuple);
        http::response<http::string_body> response;
        auto [rec, r] = co_await http::async_read(stream, buffer, response, use_tuple);
        if (wec || rec)
            break;
        std::printf("%-6s %-6s %6s -> %u %s", v.user.c_str(), v.plan.c_str(), v.amount.c_str(),
                    response.result_int(), response.body().c_str());
        ok += response.result() == http::status::ok;
    }
    acceptor.close(); // lets the server's io_context run out of work
}

} // namespace

int main(int argc, char** argv)
{
    const bool serve_forever = argc == 3 && std::string(argv[1]) == "--serve";
    vwo::tools::local_collector collector; // stands in for VWO; no account needed

    // The collector only sees the visitor UUID the SDK derives from each user id; the integrations
    // callback reports it with every decision, so the self-test can tell whose requests arrived.
    // It runs on the thread that made the call: here always the server's one thread.
    std::map<std::string, std::string> uuid_of;
    vwo::client_options options;
    options.settings_file = settings;
    options.endpoint = collector.endpoint();
    options.integrations = [&uuid_of](const vwo::decision_event& e) { uuid_of[e.user_id] = e.vwo_user_id; };
    vwo::client vwo_client = vwo::launch(options);

    asio::io_context server_ioc(1);
    const unsigned short port = serve_forever ? static_cast<unsigned short>(std::atoi(argv[2])) : 0;
    tcp::acceptor acceptor(server_ioc, {asio::ip::make_address("127.0.0.1"), port});
    asio::co_spawn(server_ioc, accept_loop(acceptor, vwo_client), asio::detached);
    std::printf("checkout server on http://127.0.0.1:%u (collector %s)\n", acceptor.local_endpoint().port(),
                collector.endpoint().c_str());

    // Amounts are written as the SDK prints them (shortest round trip), so "r" can be compared as text.
    const std::vector<visitor> visitors{
        {"alice", "gold", "49.9"}, {"bob", "silver", "19"}, {"carol", "gold", "120.5"}, {"dave", "silver", "9.99"}};
    int ok = 0;
    if (!serve_forever)
        asio::co_spawn(server_ioc, shop(acceptor.local_endpoint(), visitors, ok, acceptor), asio::detached);
    server_ioc.run();
    vwo_client.shutdown();

    // Every visitor must have produced exactly one impression, one dimension and one revenue conversion.
    const auto received = collector.requests();
    bool complete = ok == static_cast<int>(visitors.size());
    for (const auto& v : visitors) {
        const auto uuid = uuid_of.find(v.user);
        int impressions = 0, pushes = 0, purchases = 0;
        for (const auto& r : received) {
            if (uuid == uuid_of.end() || r.query_value("u") != uuid->second)
                continue;
            impressions += r.path == "/server-side/track-user";
            pushes += r.path == "/server-side/push";
            purchases += r.path == "/server-side/track-goal" && r.query_value("r") == v.amount;
        }
        std::printf("%-6s impressions %d, pushes %d, purchases of %s: %d\n", v.user.c_str(), impressions, pushes,
                    v.amount.c_str(), purchases);
        complete = complete && impressions == 1 && pushes == 1 && purchases == 1;
    }
    std::printf("%d/%zu checkouts answered 200; collector received %zu requests: %s\n", ok, visitors.size(),
                received.size(), complete ? "all delivered" : "MISSING DELIVERIES");
    return complete && received.size() == 3 * visitors.size() ? 0 : 1;
}
