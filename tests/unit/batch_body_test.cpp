#include "core/batch_body.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace vwo::core;

namespace {

request_context context()
{
    return request_context("", "123456", "abcdef0123456789abcdef0123456789", "vwo-cpp-sdk", "0.1.0", {});
}

const system_time now = system_time(std::chrono::milliseconds(1795445027123));

} // namespace

TEST_CASE("batch_body renders the same body as build_batch_events_request", "[batch_body]")
{
    const auto ctx = context();
    const std::vector<dimension> dims{{"browser", "chrome"}, {"price", "20"}, {"a b&c", "x/y \"z\" \xC3\xBC"}};
    std::vector<std::string> events;
    batch_body body;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        events.push_back(build_batch_event(ctx, dims[i], "user-" + std::to_string(i), now));
        body.append(ctx, dims[i], "user-" + std::to_string(i), now);
    }
    REQUIRE(body.size() == 3);
    for (std::size_t i = 0; i < events.size(); ++i)
        CHECK(body.event(i) == events[i]);

    const std::string expected = build_batch_events_request(ctx, events).body;
    std::vector<std::uint32_t> starts;
    const std::string taken = body.take(starts);
    CHECK(taken == expected);
    REQUIRE(starts.size() == 3);
    for (std::size_t i = 0; i < events.size(); ++i)
        CHECK(batch_body::event_in(taken, starts, i) == events[i]);
    CHECK(body.empty());
    CHECK(body.bytes() == 0);
}

TEST_CASE("batch_body is reusable after take and empty bodies are valid", "[batch_body]")
{
    const auto ctx = context();
    batch_body body;
    std::vector<std::uint32_t> starts{7};
    CHECK(body.take(starts) == R"({"ev":[]})");
    CHECK(starts.empty());
    body.append(ctx, {"k", "v"}, "u", now);
    const std::string one = body.take(starts);
    body.append(ctx, {"k", "v"}, "u", now);
    CHECK(body.take(starts) == one);
    CHECK(one == build_batch_events_request(ctx, std::vector<std::string>{build_batch_event(ctx, {"k", "v"}, "u", now)}).body);
}

TEST_CASE("batch_body slices and re-renders halves for a 413 split", "[batch_body]")
{
    const auto ctx = context();
    batch_body body;
    std::vector<std::string> events;
    for (int i = 0; i < 5; ++i) {
        const dimension dim{"key" + std::to_string(i), "value" + std::to_string(i)};
        events.push_back(build_batch_event(ctx, dim, "user", now));
        body.append(ctx, dim, "user", now);
    }
    batch_body first = body.slice(0, 2);
    batch_body second = body.slice(2, 5);
    std::vector<std::uint32_t> starts;
    CHECK(first.take(starts) ==
          build_batch_events_request(ctx, std::vector<std::string>(events.begin(), events.begin() + 2)).body);
    const std::string rest = second.take(starts);
    CHECK(rest == build_batch_events_request(ctx, std::vector<std::string>(events.begin() + 2, events.end())).body);

    // From a taken body, as the engine splits a request that was already sent.
    batch_body again;
    for (std::size_t i = 0; i < starts.size(); ++i)
        again.append_rendered(batch_body::event_in(rest, starts, i));
    CHECK(again.take(starts) == rest);
}
