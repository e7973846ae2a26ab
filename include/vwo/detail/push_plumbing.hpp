#pragma once

// Token plumbing only: the type-erased entry points that every public async_* template
// forwards to. Their definitions live in src/ (one implementation for every token).

#include <vwo/detail/dimension.hpp>
#include <vwo/export.hpp>
#include <vwo/client_options.hpp>
#include <vwo/decision_types.hpp>
#include <vwo/track_types.hpp>
#include <vwo/push_result.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <concepts>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vwo {
class client_impl;

namespace detail {

using push_signature = void(boost::system::error_code, push_result);
using push_handler = boost::asio::any_completion_handler<push_signature>;
using flush_signature = void(boost::system::error_code);
using flush_handler = boost::asio::any_completion_handler<flush_signature>;
using settings_signature = void(boost::system::error_code, std::string);
using settings_handler = boost::asio::any_completion_handler<settings_signature>;
using variation_signature = void(boost::system::error_code, std::optional<std::string>);
using variation_handler = boost::asio::any_completion_handler<variation_signature>;
using feature_signature = void(boost::system::error_code, bool);
using feature_handler = boost::asio::any_completion_handler<feature_signature>;
using variable_signature = void(boost::system::error_code, std::optional<variable_value>);
using variable_handler = boost::asio::any_completion_handler<variable_signature>;
using track_signature = void(boost::system::error_code, track_result);
using track_handler = boost::asio::any_completion_handler<track_signature>;


/// Any range of pairs whose first and second convert to std::string_view
/// (std::map, std::unordered_map, std::vector<std::pair<...>>, ...).
template <class M>
concept map_like = requires(const M& m) {
    std::begin(m);
    std::end(m);
    { (*std::begin(m)).first } -> std::convertible_to<std::string_view>;
    { (*std::begin(m)).second } -> std::convertible_to<std::string_view>;
};

template <map_like M>
dimension_list to_dimension_list(const M& m)
{
    dimension_list out;
    if constexpr (requires { m.size(); })
        out.reserve(m.size());
    for (const auto& [key, value] : m)
        out.push_back(owned_dimension{std::string(std::string_view(key)), std::string(std::string_view(value))});
    return out;
}

VWO_API void start_push(const std::shared_ptr<client_impl>& impl, dimension_list dims, std::string user_id,
                        push_handler handler);
VWO_API void start_flush(const std::shared_ptr<client_impl>& impl, flush_handler handler);

/// The arguments of one async decision call, copied at initiation (they need not outlive the call).
struct decision_request {
    enum class api { activate, get_variation_name, is_feature_enabled, get_feature_variable_value };
    api which = api::activate;
    std::string campaign_key;
    std::string variable_key; ///< get_feature_variable_value only
    std::string user_id;
    call_options options;
};
VWO_API void start_variation_call(const std::shared_ptr<client_impl>& impl, decision_request request,
                                  variation_handler handler);
VWO_API void start_feature_call(const std::shared_ptr<client_impl>& impl, decision_request request,
                                feature_handler handler);
VWO_API void start_variable_call(const std::shared_ptr<client_impl>& impl, decision_request request,
                                 variable_handler handler);

/// The arguments of one async track call, copied at initiation.
struct track_request {
    campaign_specifier campaigns;
    std::string user_id;
    std::string goal_identifier;
    call_options options;
};
VWO_API void start_track(const std::shared_ptr<client_impl>& impl, track_request request, track_handler handler);

struct settings_request {
    std::string account_id;
    std::string sdk_key;
    std::string endpoint;
    std::string ca_file, ca_dir;
    bool insecure_skip_verify = false;
    long long connect_timeout_ms = 5000;
    long long request_timeout_ms = 10000;
    proxy_options proxy;
};
VWO_API void start_settings_fetch(settings_request request, settings_handler handler);

struct initiate_push {
    std::shared_ptr<client_impl> impl;
    template <class Handler>
    void operator()(Handler&& handler, dimension_list dims, std::string user_id) const
    {
        start_push(impl, std::move(dims), std::move(user_id), push_handler(std::forward<Handler>(handler)));
    }
};

struct initiate_flush {
    std::shared_ptr<client_impl> impl;
    template <class Handler>
    void operator()(Handler&& handler) const
    {
        start_flush(impl, flush_handler(std::forward<Handler>(handler)));
    }
};

struct initiate_variation_call {
    std::shared_ptr<client_impl> impl;
    template <class Handler>
    void operator()(Handler&& handler, decision_request request) const
    {
        start_variation_call(impl, std::move(request), variation_handler(std::forward<Handler>(handler)));
    }
};

struct initiate_feature_call {
    std::shared_ptr<client_impl> impl;
    template <class Handler>
    void operator()(Handler&& handler, decision_request request) const
    {
        start_feature_call(impl, std::move(request), feature_handler(std::forward<Handler>(handler)));
    }
};

struct initiate_variable_call {
    std::shared_ptr<client_impl> impl;
    template <class Handler>
    void operator()(Handler&& handler, decision_request request) const
    {
        start_variable_call(impl, std::move(request), variable_handler(std::forward<Handler>(handler)));
    }
};

struct initiate_track {
    std::shared_ptr<client_impl> impl;
    template <class Handler>
    void operator()(Handler&& handler, track_request request) const
    {
        start_track(impl, std::move(request), track_handler(std::forward<Handler>(handler)));
    }
};

struct initiate_settings_fetch {
    template <class Handler>
    void operator()(Handler&& handler, settings_request request) const
    {
        start_settings_fetch(std::move(request), settings_handler(std::forward<Handler>(handler)));
    }
};

} // namespace detail
} // namespace vwo
