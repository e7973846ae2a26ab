#include <vwo/api_result.hpp>

#include <catch2/catch.hpp>

#include <type_traits>

TEST_CASE("api_result holds a ready value or a future, is move-only and never converts to bool", "[api_result]")
{
    STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<vwo::api_result<bool>>);
    STATIC_REQUIRE(std::is_nothrow_move_constructible_v<vwo::api_result<bool>>);
    STATIC_REQUIRE_FALSE(std::is_convertible_v<vwo::api_result<bool>, bool>);
    STATIC_REQUIRE_FALSE(std::is_constructible_v<bool, vwo::api_result<bool>>);

    vwo::api_result<bool> ready(true);
    CHECK_FALSE(ready.is_future());
    CHECK(ready.get());
    auto as_future = std::move(ready).to_future();
    REQUIRE(as_future.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    CHECK(as_future.get());

    std::promise<bool> p;
    vwo::api_result<bool> pending(p.get_future());
    CHECK(pending.is_future());
    p.set_value(false);
    CHECK_FALSE(pending.get());
}
