// Bucketing (docs/decisions.md#bucketing): the hash in both compatibility modes, the bucket formula,
// multipliers, ranges and seed plans, with the values recorded from Node for each.

#include "core/decision/bucketing.hpp"
#include "core/decision/murmur3.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <string>
#include <vector>

using namespace vwo::core::decision;

namespace {

struct hash_vector {
    const char* text;
    std::uint32_t hash;
    double traffic;   // bucket(hash, 100)
    double variation; // bucket(hash, 10000)
};

// Node's numbers, recorded from vwo-node-sdk 1.73.0 (docs/decisions.md#hash), plus the values in the
// comments of Node's own tests (Lucian, Varun) and two ids that overflow (docs/decisions.md#traffic-scaled-overflow).
const hash_vector node_vectors[] = {
    {"Ashley", 2141232222u, 50, 4986},
    {"Bob", 2033809345u, 48, 4736},
    {"Sarah", 69650962u, 2, 163},
    {"101_Ashley", 303069463u, 8, 706},
    {"Jos\xC3\xA9", 2666078234u, 63, 6208},                  // José: e9 hashed, not c3 a9
    {"\xE7\x94\xA8\xE6\x88\xB7" "42", 3447738821u, 81, 8028}, // 用户42: 28 37 34 32
    {"(742", 3447738821u, 81, 8028},                         // the same bytes
    {"\xF0\x9F\x98\x80", 3659941629u, 86, 8522},             // 😀: 3d 00 (two surrogates)
    {"", 1364076727u, 32, 3176},
    {"Lucian", 2251780191u, 53, 5243},
    {"Varun", 2025462540u, 48, 4716},
    {"edge-ov-15762", 1417308481u, 33, 3300},
    {"edge-ov-21796", 1417204778u, 33, 3300},
};

} // namespace

TEST_CASE("MurmurHash3 x86_32 matches the reference implementation's published vectors", "[decision][bucketing]")
{
    CHECK(murmur3_x86_32("", 0) == 0u);
    CHECK(murmur3_x86_32("", 1) == 0x514E28B7u);
    CHECK(murmur3_x86_32("", 0xffffffffu) == 0x81F16F39u);
    CHECK(murmur3_x86_32(std::string_view("\0\0\0\0", 4), 0) == 0x2362F9DEu);
    CHECK(murmur3_x86_32("aaaa", 0x9747b28cu) == 0x5A97808Au);
    CHECK(murmur3_x86_32("abc", 0) == 0xB3DD93FAu);
    CHECK(murmur3_x86_32("Hello, world!", 0x9747b28cu) == 0x24884CBAu);
    CHECK(murmur3_x86_32("The quick brown fox jumps over the lazy dog", 0x9747b28cu) == 0x2FA826CDu);
}

TEST_CASE("Incremental hashing equals hashing the concatenation", "[decision][bucketing]")
{
    const std::array<std::string_view, 4> pieces{"101_", "123456", "_", "Ashley"};
    CHECK(hash_text(pieces, bucketing_compat::standard) == hash_text("101_123456_Ashley", bucketing_compat::standard));
    CHECK(hash_text("101_123456_Ashley", bucketing_compat::standard) == 4016370885u);
    const std::array<std::string_view, 2> two{"101_", "Ashley"};
    CHECK(hash_text(two, bucketing_compat::node) == 303069463u);
    const std::array<std::string_view, 3> split{"Jo", "s", "\xC3\xA9"};
    CHECK(hash_text(split, bucketing_compat::node) == 2666078234u);
}

TEST_CASE("Node mode reproduces every hash and bucket of the reference table", "[decision][bucketing]")
{
    for (const auto& v : node_vectors) {
        INFO("seed " << v.text);
        const std::uint32_t hash = hash_text(v.text, bucketing_compat::node);
        CHECK(hash == v.hash);
        CHECK(bucket_value(hash, max_traffic_percent) == v.traffic);
        CHECK(bucket_value(hash, max_traffic_value) == v.variation);
    }
}

TEST_CASE("Standard mode hashes UTF-8 bytes: equal to Node for ASCII, different for the rest", "[decision][bucketing]")
{
    for (const auto& v : node_vectors) {
        const std::string_view text = v.text;
        bool ascii = true;
        for (const char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
        INFO("seed " << v.text);
        if (ascii) CHECK(hash_text(text, bucketing_compat::standard) == v.hash);
    }
    // Hashing UTF-8 instead gives different values for non-ASCII input (docs/decisions.md#hash).
    CHECK(hash_text("Jos\xC3\xA9", bucketing_compat::standard) == 3691523483u);
    CHECK(hash_text("\xE7\x94\xA8\xE6\x88\xB7" "42", bucketing_compat::standard) == 3912908981u);
    CHECK(hash_text("\xF0\x9F\x98\x80", bucketing_compat::standard) == 1219209405u);
    // In standard mode the bytes are hashed as they are, so (742 and 用户42 differ.
    CHECK(hash_text("(742", bucketing_compat::standard) != hash_text("\xE7\x94\xA8\xE6\x88\xB7" "42",
                                                                        bucketing_compat::standard));
}

TEST_CASE("Node mode: Latin-1 letters hash as their single byte, invalid UTF-8 as U+FFFD", "[decision][bucketing]")
{
    // U+00E9 is one UTF-16 unit 0x00e9: hashing "Jos\xe9" raw bytes gives Node's value.
    CHECK(hash_text("Jos\xC3\xA9", bucketing_compat::node) == murmur3_x86_32("Jos\xE9", 1));
    // A stray continuation byte decodes to U+FFFD, whose low byte is 0xfd.
    CHECK(hash_text("a\x80z", bucketing_compat::node) == murmur3_x86_32("a\xFDz", 1));
}

TEST_CASE("Bucket formula: Node's order, traffic multiplier with two divisions", "[decision][bucketing]")
{
    // Sarah: 163, and 326 at percentTraffic 50 (Node's numbers).
    CHECK(bucket_value(69650962u, max_traffic_value, traffic_multiplier(50)) == 326);
    // A comment in Node's own tests: Varun → 9433 at 50 %.
    CHECK(bucket_value(2025462540u, max_traffic_value, traffic_multiplier(50)) == 9433);
    // Multiplier values: 10000/pt/100, not 100/pt (docs/decisions.md#seed-strings-and-multiplier).
    CHECK(traffic_multiplier(30) == 3.333333333333333);
    CHECK(100.0 / 30 == 3.3333333333333335);
    CHECK(traffic_multiplier(30) != 100.0 / 30);
    CHECK(traffic_multiplier(33) == 3.03030303030303);
    CHECK(traffic_multiplier(70) == 1.4285714285714286);
    CHECK(traffic_multiplier(90) == 1.1111111111111112);
    CHECK(traffic_multiplier(100) == 1);
    // Extremes: hash 0 → 1; hash 2^32-1 → max.
    CHECK(bucket_value(0, 100) == 1);
    CHECK(bucket_value(0xFFFFFFFFu, 100) == 100);
    CHECK(bucket_value(0xFFFFFFFFu, 10000) == 10000);
}

TEST_CASE("overflow: traffic bucket 33 but variation bucket 10002 at percentTraffic 33", "[decision][bucketing]")
{
    for (const char* id : {"edge-ov-15762", "edge-ov-21796"}) {
        const std::uint32_t hash = hash_text(id, bucketing_compat::standard);
        CHECK(bucket_value(hash, 100) == 33);
        CHECK(bucket_value(hash, 10000, traffic_multiplier(33)) == 10002);
        // 50/50 ranges end at 10000: no variation; 33.3333 x3 ends at 10002: the last one.
        const auto halves = assign_ranges(std::vector<double>{50, 50});
        CHECK_FALSE(halves[0].contains(10002));
        CHECK_FALSE(halves[1].contains(10002));
        const auto thirds = assign_ranges(std::vector<double>{33.3333, 33.3333, 33.3334});
        CHECK(thirds[2].contains(10002));
    }
}

TEST_CASE("variation ranges: ceil(w*100) in double, not normalised", "[decision][bucketing]")
{
    struct row {
        std::vector<double> weights;
        std::vector<bucket_range> ranges;
    };
    const row rows[] = {
        {{50, 50}, {{1, 5000}, {5001, 10000}}},
        {{33.3333, 33.3333, 33.3334}, {{1, 3334}, {3335, 6668}, {6669, 10002}}},
        {{33.34, 33.33, 33.33}, {{1, 3335}, {3336, 6668}, {6669, 10001}}},
        {{16.67, 16.67, 16.66, 50}, {{1, 1668}, {1669, 3336}, {3337, 5002}, {5003, 10002}}},
        {{0.07, 99.93}, {{1, 8}, {9, 10001}}},
        {{0, 60, 40}, {{-1, -1}, {1, 6000}, {6001, 10000}}},
        {{99.999, 0.001}, {{1, 10000}, {10001, 10001}}},
        {{120, 30}, {{1, 10000}, {10001, 13000}}},
        {{-5, 105}, {{1, -500}, {-499, 9500}}},
    };
    for (const auto& r : rows) {
        const auto ranges = assign_ranges(r.weights);
        REQUIRE(ranges.size() == r.ranges.size());
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            INFO("weights row starting " << r.weights[0] << ", variation " << i);
            CHECK(ranges[i].start == r.ranges[i].start);
            CHECK(ranges[i].end == r.ranges[i].end);
        }
    }
    CHECK(range_step(33.34) == 3335); // 33.34*100 = 3334.0000000000005
    CHECK(range_step(0.07) == 8);     // 0.07*100 = 7.000000000000001
    CHECK(range_step(std::nan("")) == 0);
}

TEST_CASE("An unparsable string weight poisons the running total, a numeric NaN does not", "[decision][bucketing]")
{
    // Node: "abc" is truthy, ceil(NaN) → NaN step → -1/-1, and currentAllocation becomes NaN, so
    // no later range can match.
    const double steps[] = {range_step(50), range_step_of_string(std::nan("")), range_step(50)};
    const auto ranges = ranges_from_steps(steps);
    CHECK(ranges[0].contains(1));
    CHECK(ranges[1].start == -1);
    CHECK_FALSE(ranges[2].contains(5001));
    CHECK(ranges[2].start != ranges[2].start); // NaN
    // A numeric NaN (e.g. Number(undefined) of a missing weight) is falsy: step 0, the total stays.
    const auto numeric = assign_ranges(std::vector<double>{50, std::nan(""), 50});
    CHECK(numeric[1].start == -1);
    CHECK(numeric[2].start == 5001);
    CHECK(range_step_of_string(25) == 2500); // "25" * 100
    CHECK(range_step_of_string(0) == 0);     // "0": truthy string, step 0
}

TEST_CASE("bucketing seeds for every flag combination", "[decision][bucketing]")
{
    // No flags: case A, traffic seed, multiplier.
    auto p = make_bucketing_plan(false, false, false, false, false, 50);
    CHECK_FALSE(p.seeded);
    CHECK(p.seed == variation_seed::campaign_seed);
    CHECK(p.multiplier == 2);
    // No flags, percentTraffic 0: case C.
    p = make_bucketing_plan(false, false, false, false, false, 0);
    CHECK(p.seed == variation_seed::account_seed);
    CHECK(p.multiplier == 1);
    // Seed flag alone: seeded, case A.
    p = make_bucketing_plan(false, false, false, false, true, 30);
    CHECK(p.seeded);
    CHECK(p.seed == variation_seed::campaign_seed);
    CHECK(p.multiplier == 3.333333333333333);
    // isNB with an old campaign (isOB): case A, seeded because isNB.
    p = make_bucketing_plan(true, false, true, false, false, 100);
    CHECK(p.seeded);
    CHECK(p.seed == variation_seed::campaign_seed);
    // isNB, new campaign: case B (user id alone, even with the seed flag).
    p = make_bucketing_plan(true, false, false, false, true, 100);
    CHECK(p.seeded);
    CHECK(p.seed == variation_seed::user_id);
    CHECK(p.multiplier == 1);
    // isNBv2 with isOBv2: case B.
    p = make_bucketing_plan(false, true, false, true, false, 100);
    CHECK(p.seed == variation_seed::user_id);
    // isNBv2 without isOBv2: case C.
    p = make_bucketing_plan(false, true, false, false, false, 100);
    CHECK(p.seed == variation_seed::account_seed);
    // isNB and isNBv2 both, isOB: case A needs (isNB && isOB) — true — so A.
    p = make_bucketing_plan(true, true, true, false, false, 100);
    CHECK(p.seed == variation_seed::campaign_seed);
    // isNB and isNBv2, not isOB, not isOBv2: C.
    p = make_bucketing_plan(true, true, false, false, false, 100);
    CHECK(p.seed == variation_seed::account_seed);
}
