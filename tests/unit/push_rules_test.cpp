#include <vwo/push_rules.hpp>

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("queued_event_bytes: 3 x the strings plus 1536", "[push_rules]")
{
    CHECK(vwo::queued_event_bytes("", "", "") == 1536);
    CHECK(vwo::queued_event_bytes("plan", "gold", "user-1") == 3 * (4 + 4 + 6) + 1536);
    const std::string longest(4 * vwo::max_push_code_points, '\xF0'); // bytes, not code points
    CHECK(vwo::queued_event_bytes(longest, longest, longest) == 10716);
}

TEST_CASE("push_validation_error: push()'s rule and message", "[push_rules]")
{
    CHECK_FALSE(vwo::push_validation_error("plan", "gold", "user-1"));
    CHECK(vwo::push_validation_error("plan", "gold", "") ==
          std::string("push rejected: user id is empty (must be non-empty)"));
    const auto too_long = vwo::push_validation_error("plan", std::string(vwo::max_push_code_points + 1, 'v'), "u");
    REQUIRE(too_long);
    CHECK(too_long->find("256 code points") != std::string::npos);
    CHECK(vwo::push_validation_error("", "gold", "u"));
    CHECK(vwo::push_validation_error("plan", "\xFF", "u"));
    CHECK_FALSE(vwo::push_validation_error("plan", std::string(vwo::max_push_code_points, 'v'), "u"));
}
