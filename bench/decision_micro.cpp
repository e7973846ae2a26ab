// Google Benchmark: the cost of one decision computed on the caller's thread (issue 7 item 6, target
// "a decision on a 3-variation campaign with a 5-condition segment in <= 1 us p50"), straight on the
// decision core (core/decision/decide.hpp), and through the public API (vwo::client, immediate mode) on
// the same settings, users and custom variables.
//
//   vwo_bench_decision [--benchmark_filter=...] [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
//
// Every benchmark rotates over 1024 distinct user ids (and 16 custom-variable maps), so no hash or
// branch pattern repeats within a short window.
//
// The public-API cases (BM_client_*, percentiles/client_*) use one client launched with the embedded
// settings against an in-process loopback collector (tools/collector, 127.0.0.1): get_variation_name
// and get_feature_variable_value do no I/O at all; activate returns at once and its impression is
// queued to the SDK thread, which delivers it to the collector while the benchmark runs (on the other
// core). Every 16,384 activate calls the benchmark waits, outside the timed region, until the SDK has
// caught up, so the queue never fills; the counter dropped_queue_full reports it if it ever did.
//
// Two kinds of figures:
//   BM_<case>                    Google Benchmark's mean time per call (back to back).
//   percentiles/<case>/<n>       p50 and p99 per call, as counters (p50_ns, p99_ns), from timing
//                                groups of <n> calls with std::chrono::steady_clock:
//                                  n = 64: each sample is the mean of 64 consecutive calls (clock
//                                          cost amortised to < 1 ns; percentiles of 64-call means);
//                                  n = 1:  each call timed alone (true per-call percentiles, but each
//                                          sample includes one steady_clock pair, see BM_clock_pair).

#include "core/account.hpp"
#include "core/decision/attributes.hpp"
#include "core/decision/bucketing.hpp"
#include "core/decision/campaign_settings.hpp"
#include "core/decision/decide.hpp"
#include "core/decision/feature.hpp"

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

namespace d = vwo::core::decision;

// A realistic account: the target campaign (3 variations, 90 % traffic, a 5-condition "and"
// pre-segmentation), the same without segmentation, the same with whitelisting enabled (one variation
// forced for QA users / a QA flag), and a feature test with typed variables.
constexpr std::string_view settings_json = R"json({
  "accountId": 123456,
  "sdkKey": "abcdef0123456789abcdef0123456789",
  "version": 1,
  "campaigns": [
    {
      "id": 101, "key": "checkout-redesign", "name": "Checkout redesign", "type": "VISUAL_AB",
      "status": "RUNNING", "percentTraffic": 90, "isForcedVariationEnabled": false,
      "segments": {"and": [
        {"custom_variable": {"plan": "premium"}},
        {"custom_variable": {"browser": "lower(Chrome)"}},
        {"custom_variable": {"page": "wildcard(*checkout*)"}},
        {"custom_variable": {"age": "gt(18)"}},
        {"custom_variable": {"cart_value": "lt(10000)"}}
      ]},
      "goals": [{"id": 1, "identifier": "purchase", "type": "REVENUE_TRACKING", "revenueProp": "amount"}],
      "variations": [
        {"id": 1, "name": "Control", "weight": 33.3333, "changes": {}},
        {"id": 2, "name": "Variation-1", "weight": 33.3333, "changes": {}},
        {"id": 3, "name": "Variation-2", "weight": 33.3334, "changes": {}}
      ]
    },
    {
      "id": 102, "key": "checkout-no-segment", "type": "VISUAL_AB",
      "status": "RUNNING", "percentTraffic": 90, "segments": {},
      "goals": [{"id": 1, "identifier": "purchase", "type": "CUSTOM_GOAL"}],
      "variations": [
        {"id": 1, "name": "Control", "weight": 33.3333},
        {"id": 2, "name": "Variation-1", "weight": 33.3333},
        {"id": 3, "name": "Variation-2", "weight": 33.3334}
      ]
    },
    {
      "id": 103, "key": "checkout-whitelisting", "type": "VISUAL_AB",
      "status": "RUNNING", "percentTraffic": 90, "isForcedVariationEnabled": true,
      "segments": {"and": [
        {"custom_variable": {"plan": "premium"}},
        {"custom_variable": {"browser": "lower(Chrome)"}},
        {"custom_variable": {"page": "wildcard(*checkout*)"}},
        {"custom_variable": {"age": "gt(18)"}},
        {"custom_variable": {"cart_value": "lt(10000)"}}
      ]},
      "goals": [{"id": 1, "identifier": "purchase", "type": "CUSTOM_GOAL"}],
      "variations": [
        {"id": 1, "name": "Control", "weight": 33.3333, "segments": {}},
        {"id": 2, "name": "Variation-1", "weight": 33.3333,
         "segments": {"or": [{"user": "qa-alice, qa-bob, qa-carol"}, {"custom_variable": {"qa_group": "variation-1"}}]}},
        {"id": 3, "name": "Variation-2", "weight": 33.3334,
         "segments": {"or": [{"user": "qa-dave"}, {"custom_variable": {"qa_group": "variation-2"}}]}}
      ]
    },
    {
      "id": 104, "key": "pricing-feature", "type": "FEATURE_TEST",
      "status": "RUNNING", "percentTraffic": 100, "segments": {},
      "goals": [{"id": 1, "identifier": "purchase", "type": "CUSTOM_GOAL"}],
      "variations": [
        {"id": 1, "name": "Control", "weight": 33.3333, "isFeatureEnabled": false, "variables": [
          {"id": 1, "key": "headline", "type": "string", "value": "Checkout"},
          {"id": 2, "key": "max_items", "type": "integer", "value": 10},
          {"id": 3, "key": "discount", "type": "double", "value": 0.0},
          {"id": 4, "key": "show_banner", "type": "boolean", "value": false},
          {"id": 5, "key": "layout", "type": "json", "value": {"columns": 1}}
        ]},
        {"id": 2, "name": "Variation-1", "weight": 33.3333, "isFeatureEnabled": true, "variables": [
          {"id": 1, "key": "headline", "type": "string", "value": "Fast checkout"},
          {"id": 2, "key": "max_items", "type": "integer", "value": 20},
          {"id": 3, "key": "discount", "type": "double", "value": 5.5},
          {"id": 4, "key": "show_banner", "type": "boolean", "value": true},
          {"id": 5, "key": "layout", "type": "json", "value": {"columns": 2}}
        ]},
        {"id": 3, "name": "Variation-2", "weight": 33.3334, "isFeatureEnabled": true, "variables": [
          {"id": 1, "key": "headline", "type": "string", "value": "One-click checkout"},
          {"id": 2, "key": "max_items", "type": "integer", "value": 30},
          {"id": 3, "key": "discount", "type": "double", "value": 10.0},
          {"id": 4, "key": "show_banner", "type": "boolean", "value": true},
          {"id": 5, "key": "layout", "type": "json", "value": {"columns": 3}}
        ]}
      ]
    }
  ]
})json";

constexpr std::size_t user_count = 1024; // a power of two: index with & (user_count - 1)
constexpr std::size_t variable_sets = 16;

struct fixture {
    std::shared_ptr<const d::campaign_settings> settings;
    const d::campaign* segmented = nullptr;
    const d::campaign* no_segment = nullptr;
    const d::campaign* whitelisting = nullptr;
    const d::campaign* feature_test = nullptr;
    std::vector<std::string> user_ids;
    std::vector<d::attribute_map> custom_variables; ///< 15 of 16 pass the 5-condition segment
    d::attribute_map targeting_variables;           ///< matches no whitelisting segment

    fixture()
    {
        auto parsed = vwo::core::parse_account(settings_json);
        if (!parsed) {
            std::fprintf(stderr, "settings: %s\n", parsed.error().message.c_str());
            std::abort();
        }
        settings = vwo::core::campaigns_of(std::move(*parsed));
        segmented = find("checkout-redesign");
        no_segment = find("checkout-no-segment");
        whitelisting = find("checkout-whitelisting");
        feature_test = find("pricing-feature");

        user_ids.reserve(user_count);
        for (std::size_t i = 0; i < user_count; ++i) {
            char buffer[48];
            std::snprintf(buffer, sizeof buffer, "user-%zu-%zu", i * 7919 % 100003, i);
            user_ids.emplace_back(buffer);
        }
        static constexpr std::array<const char*, 4> browsers{"Chrome", "chrome", "CHROME", "Chrome"};
        static constexpr std::array<const char*, 4> pages{"/shop/checkout", "/checkout/step-2", "/en/checkout",
                                                          "/checkout"};
        for (std::size_t i = 0; i < variable_sets; ++i) {
            d::attribute_map m;
            m["plan"] = std::string(i == variable_sets - 1 ? "free" : "premium"); // the last set fails
            m["browser"] = std::string(browsers[i % browsers.size()]);
            m["page"] = std::string(pages[i % pages.size()]);
            m["age"] = std::int64_t(19 + static_cast<std::int64_t>(i) * 3);
            m["cart_value"] = 49.95 + static_cast<double>(i) * 10;
            m["country"] = std::string("DE");
            custom_variables.push_back(std::move(m));
        }
        targeting_variables["qa_group"] = std::string("none");
    }

    const d::campaign* find(std::string_view key) const
    {
        const d::campaign* c = settings->find_campaign(key);
        if (c == nullptr) {
            std::fprintf(stderr, "settings: no campaign %.*s\n", static_cast<int>(key.size()), key.data());
            std::abort();
        }
        return c;
    }

    d::decision_input input(std::size_t i, bool with_custom, bool with_targeting) const
    {
        d::decision_input in{};
        in.user_id = user_ids[i & (user_count - 1)];
        if (with_custom) in.custom_variables = &custom_variables[i % variable_sets];
        if (with_targeting) in.variation_targeting_variables = &targeting_variables;
        return in; // compat and any later fields keep their defaults
    }
};

const fixture& fx()
{
    static const fixture f;
    return f;
}

// --- the cases, each one call for index i --------------------------------------------------------

const d::variation* decide_segmented(std::size_t i)
{
    const auto& f = fx();
    return d::decide(*f.settings, *f.segmented, f.input(i, true, false)).chosen;
}

const d::variation* decide_no_segment(std::size_t i)
{
    const auto& f = fx();
    return d::decide(*f.settings, *f.no_segment, f.input(i, false, false)).chosen;
}

const d::variation* decide_whitelisting(std::size_t i)
{
    const auto& f = fx();
    return d::decide(*f.settings, *f.whitelisting, f.input(i, true, true)).chosen;
}

const d::feature_variable* feature_lookup(std::size_t i)
{
    const auto& f = fx();
    const auto decision = d::decide(*f.settings, *f.feature_test, f.input(i, false, false));
    return d::feature_variable_value(*f.feature_test, decision, "discount").variable;
}

double murmur_bucket(std::size_t i)
{
    const auto& f = fx();
    const std::uint32_t hash = d::hash_text(f.user_ids[i & (user_count - 1)], d::bucketing_compat::standard);
    return d::bucket_value(hash, d::max_traffic_value);
}

// --- the public API: one client (immediate mode) on the same settings ------------------------------

struct client_fixture {
    std::unique_ptr<vwo::tools::local_collector> collector; // declared first: outlives the client
    vwo::client client;
    std::vector<vwo::call_options> options;  ///< the fixture's 16 custom-variable maps, one call_options each
    vwo::call_options no_options;            ///< the feature case passes none, like feature_lookup
    vwo::client_stats last{};                ///< at the end of the previous run (for per-run deltas)

    client_fixture() : collector(std::make_unique<vwo::tools::local_collector>())
    {
        vwo::client_options o;
        o.settings_file = std::string(settings_json);
        o.endpoint = collector->endpoint();
        o.logging.level = vwo::log_level::error;
        o.proxy.use_environment = false;
        o.max_queue_events = 1u << 20; // far above the 16,384 calls between two drains
        o.max_queue_bytes = std::size_t(1) << 30;
        client = vwo::launch(o);
        for (const auto& m : fx().custom_variables) {
            vwo::call_options c;
            c.custom_variables = m;
            options.push_back(std::move(c));
        }
    }

    /// Outside the timed region: waits until the SDK has delivered what activate queued.
    void drain()
    {
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto s = client.stats();
            if (s.queued + s.in_flight == 0)
                break;
            std::this_thread::sleep_for(1ms);
        }
        collector->clear(); // the collector records every request: keep its memory flat
    }

    /// Delivery counters of this run (since the previous call).
    void add_delivery_counters(benchmark::State& state)
    {
        drain();
        const auto s = client.stats();
        state.counters["impressions"] = static_cast<double>(s.accepted - last.accepted);
        state.counters["delivered"] = static_cast<double>(s.delivered - last.delivered);
        state.counters["failed"] = static_cast<double>(s.failed() - last.failed());
        state.counters["dropped_queue_full"] = static_cast<double>(s.dropped_queue_full - last.dropped_queue_full);
        last = s;
    }
};

client_fixture& cfx()
{
    static client_fixture c;
    return c;
}

constexpr std::size_t drain_every = 16384; // activate calls between two drains (a power of two)

bool client_variation(std::size_t i)
{
    auto& c = cfx();
    return c.client
        .get_variation_name("checkout-redesign", fx().user_ids[i & (user_count - 1)], c.options[i % variable_sets])
        .get()
        .has_value();
}

bool client_activate(std::size_t i)
{
    auto& c = cfx();
    return c.client
        .activate("checkout-redesign", fx().user_ids[i & (user_count - 1)], c.options[i % variable_sets])
        .get()
        .has_value();
}

bool client_feature_variable(std::size_t i)
{
    auto& c = cfx();
    return c.client
        .get_feature_variable_value("pricing-feature", "discount", fx().user_ids[i & (user_count - 1)], c.no_options)
        .get()
        .has_value();
}

/// How often each outcome occurs over the rotation (counters on the mean benchmarks).
void add_outcomes(benchmark::State& state, const d::campaign& c, bool with_custom, bool with_targeting)
{
    const auto& f = fx();
    std::size_t bucketed = 0;
    std::size_t whitelisted = 0;
    const std::size_t n = user_count * variable_sets;
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = d::decide(*f.settings, c, f.input(i, with_custom, with_targeting));
        bucketed += r.status == d::decision_status::bucketed ? 1 : 0;
        whitelisted += r.status == d::decision_status::whitelisted ? 1 : 0;
    }
    state.counters["bucketed_pct"] = 100.0 * static_cast<double>(bucketed) / static_cast<double>(n);
    if (with_targeting)
        state.counters["whitelisted_pct"] = 100.0 * static_cast<double>(whitelisted) / static_cast<double>(n);
}

// --- means ------------------------------------------------------------------------------------------

void BM_decide_3_variations_5_conditions(benchmark::State& state)
{
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(decide_segmented(i++));
    add_outcomes(state, *fx().segmented, true, false);
}
BENCHMARK(BM_decide_3_variations_5_conditions);

void BM_decide_no_segment(benchmark::State& state)
{
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(decide_no_segment(i++));
    add_outcomes(state, *fx().no_segment, false, false);
}
BENCHMARK(BM_decide_no_segment);

void BM_decide_whitelisting_checked(benchmark::State& state)
{
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(decide_whitelisting(i++));
    add_outcomes(state, *fx().whitelisting, true, true);
}
BENCHMARK(BM_decide_whitelisting_checked);

void BM_feature_variable_lookup(benchmark::State& state)
{
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(feature_lookup(i++));
}
BENCHMARK(BM_feature_variable_lookup);

void BM_murmur_bucket(benchmark::State& state)
{
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(murmur_bucket(i++));
}
BENCHMARK(BM_murmur_bucket);

void BM_client_get_variation_name(benchmark::State& state)
{
    cfx();
    std::size_t i = 0;
    std::size_t variations = 0;
    for (auto _ : state) variations += client_variation(i++) ? 1 : 0;
    state.counters["variation_pct"] = 100.0 * static_cast<double>(variations) / static_cast<double>(i);
}
BENCHMARK(BM_client_get_variation_name);

void BM_client_get_feature_variable_value(benchmark::State& state)
{
    cfx();
    std::size_t i = 0;
    std::size_t values = 0;
    for (auto _ : state) values += client_feature_variable(i++) ? 1 : 0;
    state.counters["value_pct"] = 100.0 * static_cast<double>(values) / static_cast<double>(i);
}
BENCHMARK(BM_client_get_feature_variable_value);

void BM_client_activate(benchmark::State& state)
{
    auto& c = cfx();
    c.drain();
    std::size_t i = 0;
    std::size_t variations = 0;
    for (auto _ : state) {
        variations += client_activate(i++) ? 1 : 0;
        if ((i & (drain_every - 1)) == 0) {
            state.PauseTiming();
            c.drain();
            state.ResumeTiming();
        }
    }
    state.counters["variation_pct"] = 100.0 * static_cast<double>(variations) / static_cast<double>(i);
    c.add_delivery_counters(state);
}
// A fixed count: every call queues an impression the SDK must deliver, so a time-based count would
// spend most of the run waiting for the SDK.
BENCHMARK(BM_client_activate)->Iterations(200000);

/// One steady_clock::now() pair: what each sample of the n = 1 percentile runs includes.
void BM_clock_pair(benchmark::State& state)
{
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto t1 = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(t1 - t0);
    }
}
BENCHMARK(BM_clock_pair);

// --- percentiles ----------------------------------------------------------------------------------

/// Times groups of `state.range(0)` calls with steady_clock; p50/p99/max per call as counters.
/// Google Benchmark's own time for these runs is per group and includes the bookkeeping: ignore it.
template <typename Call, typename BetweenGroups>
void percentiles_with(benchmark::State& state, Call call, BetweenGroups between_groups)
{
    const auto group = static_cast<std::size_t>(state.range(0));
    std::vector<double> per_call_ns;
    per_call_ns.reserve(1u << 20);
    std::size_t i = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        for (std::size_t k = 0; k < group; ++k) benchmark::DoNotOptimize(call(i++));
        const auto t1 = std::chrono::steady_clock::now();
        if (per_call_ns.size() < per_call_ns.capacity())
            per_call_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() /
                                  static_cast<double>(group));
        between_groups(i);
    }
    if (per_call_ns.empty()) return;
    auto at = [&](double q) {
        const auto k = static_cast<std::size_t>(q * static_cast<double>(per_call_ns.size() - 1));
        std::nth_element(per_call_ns.begin(), per_call_ns.begin() + static_cast<std::ptrdiff_t>(k),
                         per_call_ns.end());
        return per_call_ns[k];
    };
    state.counters["p50_ns"] = at(0.50);
    state.counters["p99_ns"] = at(0.99);
    state.counters["p999_ns"] = at(0.999);
    state.counters["samples"] = static_cast<double>(per_call_ns.size());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

template <typename Call>
void percentiles(benchmark::State& state, Call call)
{
    percentiles_with(state, call, [](std::size_t) {});
}

/// activate: waits for the SDK between groups (outside the timed groups) every drain_every calls.
void percentiles_activate(benchmark::State& state)
{
    auto& c = cfx();
    c.drain();
    std::size_t next_drain = drain_every;
    percentiles_with(state, client_activate, [&](std::size_t calls) {
        if (calls >= next_drain) {
            c.drain();
            next_drain = calls + drain_every;
        }
    });
    c.add_delivery_counters(state);
}

void percentiles_client_variation(benchmark::State& state)
{
    cfx();
    percentiles(state, client_variation);
}

BENCHMARK_CAPTURE(percentiles, decide_3_variations_5_conditions, decide_segmented)->Arg(64)->Arg(1);
BENCHMARK_CAPTURE(percentiles, decide_no_segment, decide_no_segment)->Arg(64)->Arg(1);
BENCHMARK_CAPTURE(percentiles, decide_whitelisting_checked, decide_whitelisting)->Arg(64)->Arg(1);
BENCHMARK_CAPTURE(percentiles, feature_variable_lookup, feature_lookup)->Arg(64)->Arg(1);
BENCHMARK_CAPTURE(percentiles, murmur_bucket, murmur_bucket)->Arg(64)->Arg(1);
BENCHMARK(percentiles_client_variation)->Name("percentiles/client_get_variation_name")->Arg(64)->Arg(1);
// Fixed counts (about 200,000 calls each), for the same reason as BM_client_activate.
BENCHMARK(percentiles_activate)->Name("percentiles/client_activate")->Arg(64)->Iterations(3125);
BENCHMARK(percentiles_activate)->Name("percentiles/client_activate")->Arg(1)->Iterations(200000);

} // namespace

BENCHMARK_MAIN();
