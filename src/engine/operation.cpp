#include "engine/operation.hpp"

#include "core/decision_requests.hpp"

#include <vwo/push_rules.hpp>

namespace vwo::engine {

namespace {

// What one pending event is charged against max_queue_bytes: its strings three times (the
// copies taken at push, and the percent-encoded request built from them) plus 1.5 KiB for the
// built request's fixed part, its retry timer, handlers and bookkeeping. Calibrated by the R4
// stress test, which measured ~2 KiB of resident memory per pending single-key push with
// ~210 bytes of strings; counting only the strings let RSS reach ~6x the cap.
std::uint32_t dimension_bytes(const core::dimension& d, const std::string& user_id)
{
    return static_cast<std::uint32_t>(queued_event_bytes(d.key, d.value, user_id));
}

// An impression or goal: its strings three times (as dimension_bytes) plus the same fixed part.
std::uint32_t tracked_bytes(const core::tracked_event& t, const std::string& user_id)
{
    std::size_t strings = user_id.size() + t.visitor.user_agent.size() + t.visitor.ip_address.size();
    if (const auto* shown = std::get_if<core::impression>(&t.what)) {
        strings += shown->campaign_id.text.size() + shown->variation_id.text.size();
    } else {
        const auto& goal = std::get<core::goal_event>(t.what);
        strings += goal.goal_identifier.size();
        for (const auto& [key, value] : goal.event_properties)
            strings += key.size() + core::attribute_text(value).size();
        for (const auto& c : goal.campaigns)
            strings += c.campaign_id.text.size() + c.variation_id.text.size() + c.goal_id.text.size() + 16;
    }
    return static_cast<std::uint32_t>(3 * strings + 1536);
}

} // namespace

std::uint32_t push_op::event_count() const noexcept
{
    return tracked ? tracked->event_count() : static_cast<std::uint32_t>(dims.size());
}

std::uint32_t push_op::event_bytes(std::uint32_t i) const
{
    return tracked ? tracked_bytes(*tracked, user_id) : dimension_bytes(dims[i], user_id);
}

} // namespace vwo::engine
