#include "core/decision/groups.hpp"

#include "core/decision/js_text.hpp"
#include "core/decision/whitelisting.hpp"

#include <array>
#include <cmath>
#include <optional>
#include <string>

namespace vwo::core::decision {
namespace {

// JavaScript `a.id === b.id` on settings ids: the number 101 and the string "101" differ.
bool same_id(const settings_id& a, const settings_id& b) noexcept
{
    return a.is_string == b.is_string && a.text == b.text;
}

bool member_whitelists(const campaign_settings& settings, const campaign& member, const campaign& called,
                       const decision_input& input)
{
    if (!member.is_forced_variation_enabled) return false; // N _checkForWhitelisting skips it
    // Node evaluates the other members with the called campaign's variationTargetingVariables, whose
    // `_vwoUserId` follows the CALLED campaign's isUserListEnabled (docs/decisions.md#how-a-group-decides
    // step 1).
    return evaluate_whitelisting(settings, member, input.user_id, input.variation_targeting_variables, input.compat,
                                 called.is_user_list_enabled)
               .chosen != nullptr;
}

const double* weight_of(const campaign_group& group, const settings_id& id) noexcept
{
    // `wt[campaign.id]`: a property lookup by String(id), so 101 and "101" find the same entry.
    for (const auto& [key, weight] : group.weights) {
        if (key == id.text) return &weight;
    }
    return nullptr;
}

} // namespace

std::vector<const campaign*> group_members(const campaign_settings& settings, const campaign_group& group)
{
    std::vector<const campaign*> members;
    members.reserve(group.campaign_ids.size());
    const auto& campaigns = settings.campaigns();
    for (const std::string& id : group.campaign_ids) {
        const double wanted = js::parse_int(id);
        if (wanted != wanted) continue; // NaN === NaN is false: resolves to nothing
        for (const campaign& c : campaigns) {
            if (js::parse_int(c.id.text) == wanted) { // Node's getCampaignBasedOnId: the first match
                members.push_back(&c);
                break;
            }
        }
    }
    return members;
}

bool is_group_eligible(const campaign& member, const decision_input& input)
{
    // Node's getEligbleCampaigns: _checkForPreSegmentation && isUserPartOfCampaign, status not checked.
    return member.segments.evaluate(segment_input{input.custom_variables, std::nullopt}) &&
           is_user_part_of_campaign(member, input.user_id, input.compat);
}

std::uint32_t group_hash(const campaign_group& group, std::string_view user_id, bucketing_compat compat) noexcept
{
    // getBucketingSeed(userId, undefined, groupId) = `${groupId}_${userId}`; group.id is String(groupId).
    const std::array<std::string_view, 3> seed{group.id, "_", user_id};
    return hash_text(seed, compat);
}

bucket_range random_algorithm_range(std::size_t index, std::size_t n) noexcept
{
    // Node: weight floor(100/n) each, then assignRangeValues (step ceil(w*100), capped at 10000).
    const double step = range_step(std::floor(100 / static_cast<double>(n)));
    const bool last = index + 1 == n;
    if (step == 0) {
        // n > 100: every weight is 0 and Node gives every member -1/-1 (nobody wins, TypeError); our
        // fix gives the whole range to the last member.
        return last ? bucket_range{1, max_traffic_value} : bucket_range{-1, -1};
    }
    bucket_range range{static_cast<double>(index) * step + 1, static_cast<double>(index + 1) * step};
    // Our fix (docs/decisions.md#how-a-group-decides, step 4): Node's ranges end at n*step, below 10000
    // for n = 3, 6, 7, 8, ...; a bucket beyond them finds no winner and Node throws. The last member
    // takes the rest.
    if (last && range.end < max_traffic_value) range.end = max_traffic_value;
    return range;
}

winner_pick pick_winner(const campaign_group& group, std::span<const campaign* const> eligible, double bucket) noexcept
{
    winner_pick pick;
    const std::size_t n = eligible.size();
    if (n == 0) return pick;
    if (group.random_algorithm) {
        // Where Node's own ranges end: n * step (0 when every weight is 0).
        const double node_end = static_cast<double>(n) * range_step(std::floor(100 / static_cast<double>(n)));
        for (std::size_t i = 0; i < n; ++i) {
            if (!random_algorithm_range(i, n).contains(bucket)) continue;
            pick.index = i;
            pick.last_range_extended = bucket > node_end;
            return pick;
        }
        return pick; // unreachable for buckets 1..10000
    }
    // Advanced: priority first, in `p` order, with strict id equality (N `=== priorityOrder[i]`).
    for (const settings_id& wanted : group.priority) {
        for (std::size_t i = 0; i < n; ++i) {
            if (same_id(eligible[i]->id, wanted)) {
                pick.index = i;
                return pick;
            }
        }
    }
    // Then weighted: participants are the eligible members with a `wt` entry, in group order, with
    // unnormalised ranges (assignRangeValues); a bucket outside every range has no winner.
    double current = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double* weight = weight_of(group, eligible[i]->id);
        if (weight == nullptr) continue;
        const double step = range_step(*weight);
        if (step == step && step != 0 && bucket >= current + 1 && bucket <= current + step) {
            pick.index = i;
            return pick;
        }
        current += step;
    }
    return pick;
}

group_decision evaluate_group(const campaign_settings& settings, const campaign_group& group, const campaign& called,
                              const decision_input& input)
{
    group_decision out;
    const std::vector<const campaign*> members = group_members(settings, group);
    out.members = members.size();
    if (members.empty()) return out; // N: `campaignList.length === 0` → {}

    // Step 1: another member's whitelisting, then its storage, in group order, whatever its status.
    for (const campaign* member : members) {
        if (same_id(member->id, called.id)) continue;
        if (member_whitelists(settings, *member, called, input)) {
            out.outcome = group_outcome::claimed_by_other;
            out.other = member;
            return out;
        }
        if (input.storage != nullptr && input.storage->stored_variation(*member) != nullptr) {
            out.outcome = group_outcome::claimed_by_other;
            out.other = member;
            out.claimed_by_storage = true;
            return out;
        }
    }

    // Step 2: eligibility of every member, the called one included (it has passed already).
    std::vector<const campaign*> eligible;
    eligible.reserve(members.size());
    for (const campaign* member : members) {
        if (member == &called || is_group_eligible(*member, input)) eligible.push_back(member);
    }
    out.eligible = eligible.size();
    if (eligible.empty()) return out; // only when the called campaign is not listed in its group

    // Steps 3-5: a sole eligible member wins without a bucket; otherwise the group bucket decides.
    std::size_t winner = 0;
    if (eligible.size() > 1) {
        out.group_hash = group_hash(group, input.user_id, input.compat);
        out.group_bucket = bucket_value(out.group_hash, max_traffic_value);
        const winner_pick pick = pick_winner(group, eligible, out.group_bucket);
        if (!pick.index) return out;
        winner = *pick.index;
        out.last_range_extended = pick.last_range_extended;
    }
    // Node compares `winnerCampaign.id === calledCampaign.id`. A sole eligible member that is not the
    // called campaign (the group does not list it) is a loss here; Node would bucket that member.
    if (same_id(eligible[winner]->id, called.id)) {
        out.outcome = group_outcome::called_wins;
    } else {
        out.outcome = group_outcome::lost;
        out.other = eligible[winner];
    }
    return out;
}

} // namespace vwo::core::decision
