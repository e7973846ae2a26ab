#include <vwo/push_rules.hpp>

#include "core/validation.hpp"

namespace vwo {

static_assert(max_push_code_points == core::max_code_points);

std::optional<std::string> push_validation_error(std::string_view key, std::string_view value,
                                                 std::string_view user_id)
{
    auto valid = core::check_push(core::dimensions{core::dimension{std::string(key), std::string(value)}}, user_id);
    if (valid)
        return std::nullopt;
    return std::move(valid.error().message);
}

std::size_t queued_event_bytes(std::string_view key, std::string_view value, std::string_view user_id) noexcept
{
    return 3 * (key.size() + value.size() + user_id.size()) + 1536;
}

} // namespace vwo
