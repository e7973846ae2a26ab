#pragma once

// Which request carries an event (docs/protocol.md#which-request-a-push-becomes): the batch
// queue when the client batches, else the event architecture when the account has it, else the
// legacy GET (or one batch-events POST for several events of one call). Pure: no I/O, no clock.

#include "core/batch_body.hpp"
#include "core/decision_requests.hpp"
#include "core/dimension.hpp"
#include "core/request_builder.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vwo::core {

/// What a decision or track call sends: an impression (activate, is_feature_enabled) or a goal (track).
struct tracked_event {
    std::variant<impression, goal_event> what;
    visitor_info visitor;
    /// track, legacy: more than one campaign was considered, so the goal goes out as one batch-events
    /// POST even if a single campaign converted (docs/decisions.md#what-track-sends); otherwise one GET track-goal.
    bool legacy_batch = false;

    /// Events this counts as: one per impression, one per converted campaign of a goal.
    std::uint32_t event_count() const noexcept;
};

/// One request built for one call's events, outside batch mode.
struct routed_request {
    wire_request request;
    /// Where each event starts in a batch-events body (to split it on 413); empty for other requests,
    /// which cannot be split.
    std::vector<std::uint32_t> event_starts;
};

/// A push call's dimensions: events/t with every dimension when `event_arch`, else one GET push for
/// one dimension, else one batch-events POST.
routed_request route_dimensions(const request_context& ctx, bool event_arch, const dimensions& dims,
                                std::string_view user_id, system_time now, double random);

/// An impression or a goal's conversions.
routed_request route_tracked(const request_context& ctx, bool event_arch, const tracked_event& event,
                             std::string_view user_id, system_time now, double random);

/// Batch mode: appends event `index` of `event` (0 for an impression; one per converted campaign of
/// a goal) to a batch body's text.
void render_tracked_batch_event(std::string& out, const request_context& ctx, const tracked_event& event,
                                std::uint32_t index, std::string_view user_id, system_time now);

} // namespace vwo::core
