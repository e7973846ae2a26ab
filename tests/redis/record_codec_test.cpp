// The stored form (docs/decisions.md "The Redis store"): Node's field names and key, bounded parsing.
#include "record_codec.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace vwo;
using namespace vwo::redis_detail;

TEST_CASE("record codec: the key is the Node helper's <campaign>:<user> - after the prefix")
{
    CHECK(record_key("", "u1", "CAMP") == "CAMP:u1");
    CHECK(record_key("vwo:", "u1", "CAMP") == "vwo:CAMP:u1");
}

TEST_CASE("record codec: Node's field names - optional fields only when set")
{
    user_storage_record r{"u1", "CAMP", "Control", "", {}};
    auto json = nlohmann::json::parse(encode_record(r));
    CHECK(json == nlohmann::json{{"userId", "u1"}, {"campaignKey", "CAMP"}, {"variationName", "Control"}});
    r.goal_identifier = "cta_vwo_signup";
    r.meta_data = {{"plan", "gold"}};
    json = nlohmann::json::parse(encode_record(r));
    CHECK(json["goalIdentifier"] == "cta_vwo_signup");
    CHECK(json["metaData"] == nlohmann::json{{"plan", "gold"}});
    auto back = decode_record(encode_record(r));
    REQUIRE(!back.error);
    REQUIRE(back.record);
    CHECK(back.record->user_id == "u1");
    CHECK(back.record->goal_identifier == "cta_vwo_signup");
    CHECK(back.record->meta_data == r.meta_data);
}

TEST_CASE("record codec: reads what Node's helper writes (JSON.stringify of the SDK's object)")
{
    auto d = decode_record(R"({"userId":"u1","variationName":"Variation-1","campaignKey":"CAMP",)"
                           R"("metaData":{"n":5,"flag":true,"s":"x","o":{"a":1}},"extra":[1]})");
    REQUIRE(!d.error);
    CHECK(d.record->variation_name == "Variation-1");
    CHECK(d.record->goal_identifier.empty());
    CHECK(d.record->meta_data.at("n") == "5");
    CHECK(d.record->meta_data.at("flag") == "true");
    CHECK(d.record->meta_data.at("s") == "x");
    CHECK(d.record->meta_data.at("o") == R"({"a":1})");
}

TEST_CASE("record codec: anything else is a malformed record - never an exception")
{
    for (const char* bad : {"", "not json", "[1,2]", R"("str")", R"({"userId":5})", R"({"metaData":[1]})",
                            R"({"userId":"u1")"}) {
        INFO(bad);
        auto d = decode_record(bad);
        CHECK(d.error == make_error_code(redis_errc::malformed_record));
        CHECK(!d.record);
    }
    std::string deep = R"({"metaData":)" + std::string(1000, '[') + std::string(1000, ']') + "}";
    CHECK(decode_record(deep).error == make_error_code(redis_errc::malformed_record));
}
