#include "core/router.hpp"

namespace vwo::core {

std::uint32_t tracked_event::event_count() const noexcept
{
    if (const auto* goal = std::get_if<goal_event>(&what))
        return static_cast<std::uint32_t>(goal->campaigns.size());
    return 1;
}

routed_request route_dimensions(const request_context& ctx, bool event_arch, const dimensions& dims,
                                std::string_view user_id, system_time now, double random)
{
    routed_request routed;
    if (event_arch) {
        routed.request = build_event_arch_request(ctx, dims, user_id, now, random);
    } else if (dims.size() == 1) {
        routed.request = build_push_get(ctx, dims.front(), user_id, now, random);
    } else {
        batch_body body;
        for (const auto& d : dims)
            body.append(ctx, d, user_id, now);
        routed.request = build_batch_events_request(ctx, body.take(routed.event_starts));
    }
    return routed;
}

routed_request route_tracked(const request_context& ctx, bool event_arch, const tracked_event& event,
                             std::string_view user_id, system_time now, double random)
{
    routed_request routed;
    if (const auto* shown = std::get_if<impression>(&event.what)) {
        routed.request = event_arch
                             ? build_variation_shown_request(ctx, *shown, user_id, event.visitor, now, random)
                             : build_track_user_get(ctx, *shown, user_id, event.visitor, now, random);
        return routed;
    }
    const auto& goal = std::get<goal_event>(event.what);
    if (event_arch) {
        routed.request = build_goal_event_request(ctx, goal, user_id, event.visitor, now, random);
    } else if (!event.legacy_batch) {
        routed.request = build_track_goal_get(ctx, goal, user_id, event.visitor, now, random);
    } else {
        batch_body body;
        for (std::uint32_t i = 0; i < event.event_count(); ++i)
            body.append_event([&](std::string& text) {
                append_goal_batch_event(text, ctx, goal, i, user_id, event.visitor, now);
            });
        routed.request = build_batch_events_request(ctx, body.take(routed.event_starts));
    }
    return routed;
}

void render_tracked_batch_event(std::string& out, const request_context& ctx, const tracked_event& event,
                                std::uint32_t index, std::string_view user_id, system_time now)
{
    if (const auto* shown = std::get_if<impression>(&event.what))
        append_impression_batch_event(out, ctx, *shown, user_id, event.visitor, now);
    else
        append_goal_batch_event(out, ctx, std::get<goal_event>(event.what), index, user_id, event.visitor, now);
}

} // namespace vwo::core
