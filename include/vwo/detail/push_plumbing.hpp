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
#include <boost/asio/any_io_executor.hpp>
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
/// get_and_update_settings_file: (error, changed). An empty error: the client uses the settings VWO served.
using refresh_signature = void(boost::system::error_code, bool);
using refresh_handler = boost::asio::any_completion_handler<refresh_signature>;


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

/// The arguments of one async push, copied at initiation.
struct push_request {
    using handler_type = push_handler;
    dimension_list dims;
    std::string user_id;
};

/// An async flush_events() call (no arguments).
struct flush_request {
    using handler_type = flush_handler;
};

/// An async get_and_update_settings_file() call (no arguments).
struct refresh_request {
    using handler_type = refresh_handler;
};

/// The arguments of one async decision call, copied at initiation (they need not outlive the call).
struct decision_request {
    enum class api { activate, get_variation_name, is_feature_enabled, get_feature_variable_value };
    api which = api::activate;
    std::string campaign_key;
    std::string variable_key; ///< get_feature_variable_value only
    std::string user_id;
    call_options options;
};
/// activate / get_variation_name: completes with the variation name.
struct variation_request : decision_request {
    using handler_type = variation_handler;
};
/// is_feature_enabled: completes with the feature's state.
struct feature_request : decision_request {
    using handler_type = feature_handler;
};
/// get_feature_variable_value: completes with the variable's value.
struct variable_request : decision_request {
    using handler_type = variable_handler;
};

/// The arguments of one async track call, copied at initiation.
struct track_request {
    using handler_type = track_handler;
    campaign_specifier campaigns;
    std::string user_id;
    std::string goal_identifier;
    call_options options;
};

// Each operation's one entry point (src/client.cpp): the same algorithm the immediate and promise
// faces run, with the caller's handler.
VWO_API void start(const std::shared_ptr<client_impl>& impl, push_request request, push_handler handler);
VWO_API void start(const std::shared_ptr<client_impl>& impl, flush_request request, flush_handler handler);
VWO_API void start(const std::shared_ptr<client_impl>& impl, variation_request request, variation_handler handler);
VWO_API void start(const std::shared_ptr<client_impl>& impl, feature_request request, feature_handler handler);
VWO_API void start(const std::shared_ptr<client_impl>& impl, variable_request request, variable_handler handler);
VWO_API void start(const std::shared_ptr<client_impl>& impl, track_request request, track_handler handler);
VWO_API void start(const std::shared_ptr<client_impl>& impl, refresh_request request, refresh_handler handler);

/// The client's executor (its strand), or the system executor for an empty client.
VWO_API boost::asio::any_io_executor client_executor(const std::shared_ptr<client_impl>& impl) noexcept;

/// The one initiation object of every client::async_* call: it type-erases the handler and hands it,
/// with the call's copied arguments, to that operation's entry point; get_executor() names the client's
/// strand, where handlers without an executor of their own complete.
class initiation {
public:
    using executor_type = boost::asio::any_io_executor;

    explicit initiation(std::shared_ptr<client_impl> impl) noexcept : impl_(std::move(impl)) {}
    executor_type get_executor() const noexcept { return client_executor(impl_); }

    template <class Handler, class Request>
    void operator()(Handler&& handler, Request request) const
    {
        start(impl_, std::move(request), typename Request::handler_type(std::forward<Handler>(handler)));
    }

private:
    std::shared_ptr<client_impl> impl_;
};

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

struct initiate_settings_fetch {
    template <class Handler>
    void operator()(Handler&& handler, settings_request request) const
    {
        start_settings_fetch(std::move(request), settings_handler(std::forward<Handler>(handler)));
    }
};

} // namespace detail
} // namespace vwo
