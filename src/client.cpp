// The public vwo::client handle: a thin layer over client_impl, and the detail::start entry points of the
// async_* faces. Launching and fetching settings are in launch.cpp.

#include "engine/client_impl.hpp"

#include <vwo/client.hpp>
#include <vwo/error.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace vwo {

namespace asio = boost::asio;
using boost::system::error_code;

client::client(std::shared_ptr<client_impl> impl) noexcept : impl_(std::move(impl)) {}
client::client(client&&) noexcept = default;

client& client::operator=(client&& other) noexcept
{
    if (this != &other) {
        if (impl_)
            impl_->shutdown();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

client::~client()
{
    if (impl_)
        impl_->shutdown();
}

api_result<bool> client::push(std::string_view key, std::string_view value, std::string_view user_id)
{
    return push_dimensions(detail::single_dimension(key, value), user_id);
}

api_result<bool> client::push(std::initializer_list<dimension_pair> dimensions, std::string_view user_id)
{
    return push_dimensions(detail::to_dimension_list(dimensions), user_id);
}

api_result<bool> client::push_dimensions(detail::dimension_list dimensions, std::string_view user_id)
{
    if (!impl_)
        return api_result<bool>(false);
    return impl_->push(std::move(dimensions), user_id);
}

api_result<std::optional<std::string>> client::activate(std::string_view campaign_key, std::string_view user_id,
                                                        const call_options& options)
{
    if (!impl_)
        return api_result<std::optional<std::string>>(std::nullopt);
    return impl_->activate(campaign_key, user_id, options);
}

api_result<std::optional<std::string>> client::get_variation_name(std::string_view campaign_key,
                                                                  std::string_view user_id,
                                                                  const call_options& options)
{
    if (!impl_)
        return api_result<std::optional<std::string>>(std::nullopt);
    return impl_->get_variation_name(campaign_key, user_id, options);
}

api_result<bool> client::is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                            const call_options& options)
{
    if (!impl_)
        return api_result<bool>(false);
    return impl_->is_feature_enabled(campaign_key, user_id, options);
}

api_result<std::optional<variable_value>> client::get_feature_variable_value(std::string_view campaign_key,
                                                                             std::string_view variable_key,
                                                                             std::string_view user_id,
                                                                             const call_options& options)
{
    if (!impl_)
        return api_result<std::optional<variable_value>>(std::nullopt);
    return impl_->get_feature_variable_value(campaign_key, variable_key, user_id, options);
}

api_result<bool> client::track(const campaign_specifier& campaigns, std::string_view user_id,
                               std::string_view goal_identifier, const call_options& options)
{
    if (!impl_)
        return api_result<bool>(false);
    return impl_->track(campaigns, user_id, goal_identifier, options);
}

api_result<bool> client::flush_events()
{
    if (!impl_)
        return api_result<bool>(false);
    return impl_->flush_events();
}

api_result<bool> client::get_and_update_settings_file()
{
    if (!impl_)
        return api_result<bool>(false);
    return impl_->get_and_update_settings_file();
}

error_code client::update_settings_file(std::string_view settings_json)
{
    if (!impl_)
        return make_error_code(errc::not_launched);
    return impl_->update_settings_file(settings_json);
}

std::string client::settings_file() const
{
    return impl_ ? impl_->settings_file() : std::string();
}

void client::set_opt_out()
{
    if (impl_)
        impl_->set_opt_out();
}

void client::shutdown(std::chrono::milliseconds deadline)
{
    if (impl_)
        impl_->shutdown(deadline);
}

void client::shutdown()
{
    if (impl_)
        impl_->shutdown();
}

client_stats client::stats() const
{
    return impl_ ? impl_->stats() : client_stats{};
}

namespace detail {

namespace {
// Only for an empty (moved-from or failed-launch) client, which has no io_context to
// post through: completes via the handler's own executor.
template <class Handler, class... Args>
void complete_now(Handler handler, Args... args)
{
    auto ex = asio::get_associated_executor(handler, asio::system_executor());
    asio::dispatch(ex, [handler = std::move(handler), args...]() mutable { std::move(handler)(args...); });
}
} // namespace

void start(const std::shared_ptr<client_impl>& impl, push_request request, push_handler handler)
{
    if (!impl) {
        push_result result;
        for (const auto& [key, value] : request.dims)
            result.keys.push_back({key, make_error_code(errc::not_launched)});
        return complete_now(std::move(handler), make_error_code(errc::not_launched), std::move(result));
    }
    impl->start_push(std::move(request.dims), std::move(request.user_id), std::move(handler));
}

void start(const std::shared_ptr<client_impl>& impl, flush_request, flush_handler handler)
{
    if (!impl)
        return complete_now(std::move(handler), make_error_code(errc::not_launched));
    impl->start_flush(std::move(handler));
}

void start(const std::shared_ptr<client_impl>& impl, variation_request request, variation_handler handler)
{
    if (!impl)
        return complete_now(std::move(handler), make_error_code(errc::not_launched), std::optional<std::string>());
    impl->start_decision(request, std::move(handler));
}

void start(const std::shared_ptr<client_impl>& impl, feature_request request, feature_handler handler)
{
    if (!impl)
        return complete_now(std::move(handler), make_error_code(errc::not_launched), false);
    impl->start_decision(request, std::move(handler));
}

void start(const std::shared_ptr<client_impl>& impl, variable_request request, variable_handler handler)
{
    if (!impl)
        return complete_now(std::move(handler), make_error_code(errc::not_launched),
                            std::optional<variable_value>());
    impl->start_decision(request, std::move(handler));
}

void start(const std::shared_ptr<client_impl>& impl, track_request request, track_handler handler)
{
    if (!impl)
        return complete_now(std::move(handler), make_error_code(errc::not_launched), track_result{});
    impl->start_track(request, std::move(handler));
}

void start(const std::shared_ptr<client_impl>& impl, refresh_request, refresh_handler handler)
{
    if (!impl)
        return complete_now(std::move(handler), make_error_code(errc::not_launched), false);
    impl->start_refresh(std::move(handler));
}

asio::any_io_executor client_executor(const std::shared_ptr<client_impl>& impl) noexcept
{
    if (!impl)
        return asio::any_io_executor(asio::system_executor());
    return impl->get_executor();
}

} // namespace detail

} // namespace vwo
