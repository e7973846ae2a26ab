#include "core/batch_body.hpp"

namespace vwo::core {

namespace {
constexpr std::string_view opening = R"({"ev":[)";
constexpr std::string_view closing = "]}";
} // namespace

void batch_body::begin_event()
{
    if (text_.empty())
        text_ += opening;
    else
        text_ += ',';
    starts_.push_back(static_cast<std::uint32_t>(text_.size()));
}

void batch_body::append(const request_context& ctx, const dimension& dim, std::string_view user_id, system_time now)
{
    begin_event();
    append_batch_event(text_, ctx, dim, user_id, now);
}

void batch_body::append_rendered(std::string_view event)
{
    begin_event();
    text_ += event;
}

std::string_view batch_body::event(std::size_t i) const noexcept
{
    const std::size_t end = i + 1 < starts_.size() ? starts_[i + 1] - 1 : text_.size();
    return std::string_view(text_).substr(starts_[i], end - starts_[i]);
}

std::string_view batch_body::event_in(std::string_view taken_body, const std::vector<std::uint32_t>& starts,
                                      std::size_t i) noexcept
{
    const std::size_t end = i + 1 < starts.size() ? starts[i + 1] - 1 : taken_body.size() - closing.size();
    return taken_body.substr(starts[i], end - starts[i]);
}

std::string batch_body::take(std::vector<std::uint32_t>& starts)
{
    std::string body = std::move(text_);
    if (body.empty())
        body += opening;
    body += closing;
    text_.clear();
    starts = std::move(starts_);
    starts_.clear();
    return body;
}

batch_body batch_body::slice(std::size_t from, std::size_t to) const
{
    batch_body part;
    for (std::size_t i = from; i < to; ++i)
        part.append_rendered(event(i));
    return part;
}

} // namespace vwo::core
