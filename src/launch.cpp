// Getting settings and launching: launch() (from a settings file, or fetching it first with the account
// id and SDK key), async_launch(), and get_settings_file(), whose one-off exchange runs on a thread of its
// own. No Beast here; the transport is behind http_client.

#include "core/endpoint.hpp"
#include "core/request_builder.hpp"
#include "engine/client_impl.hpp"
#include "engine/options_check.hpp"
#include "transport/http_client.hpp"
#include "transport/settings_response.hpp"

#include <vwo/client.hpp>
#include <vwo/error.hpp>
#include <vwo/version.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <random>
#include <thread>
#include <utility>

namespace vwo {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

/// What get_settings_file needs, from a client's options.
detail::settings_request fetch_request_of(const client_options& options)
{
    return detail::settings_request{options.account_id,     options.sdk_key,
                                    options.endpoint,       options.tls.ca_file,
                                    options.tls.ca_dir,     options.tls.insecure_skip_verify,
                                    options.timeouts.connect.count(), options.timeouts.request.count(),
                                    options.proxy};
}

/// launch() on the calling thread: without a settings file, fetches it first (docs/settings.md#launch-from-keys),
/// waiting no longer than the fetch's own deadlines allow.
std::shared_ptr<client_impl> launch_here(client_options options, error_code& ec, std::string& error)
{
    if (options.settings_file.empty()) {
        auto fail = [&](error_code code, std::string message) -> std::shared_ptr<client_impl> {
            ec = code;
            error = "launch failed: " + std::move(message);
            engine::logger(options.logging).error(error);
            return nullptr;
        };
        if (auto checked = engine::check_options(options); !checked)
            return fail(make_error_code(errc::invalid_options), checked.error().message);
        if (options.account_id.empty() || options.sdk_key.empty())
            return fail(make_error_code(errc::invalid_settings),
                        "no settings_file, and fetching it needs client_options::account_id and sdk_key");
        std::promise<std::pair<error_code, std::string>> fetched;
        auto answer = fetched.get_future();
        detail::start_settings_fetch(fetch_request_of(options),
                                     [p = std::move(fetched)](error_code e, std::string body) mutable {
                                         p.set_value({e, std::move(body)});
                                     });
        const auto& t = options.timeouts;
        const auto deadline = t.resolve + t.connect + t.tls_handshake + t.request + std::chrono::seconds(1);
        if (answer.wait_for(deadline) != std::future_status::ready)
            return fail(make_error_code(errc::timeout), "fetching the settings of account " + options.account_id +
                                                            " did not finish within the timeouts");
        auto [fetch_error, body] = answer.get();
        if (fetch_error)
            return fail(fetch_error, "fetching the settings of account " + options.account_id + " from " +
                                         options.endpoint + " failed: " + fetch_error.message());
        options.settings_file = std::move(body);
    }
    return client_impl::create(options, ec, error);
}

} // namespace

namespace detail {
/// Makes handles for async_launch (the constructor is private).
struct launch_access {
    static client make(std::shared_ptr<client_impl> impl) noexcept { return client(std::move(impl)); }
};
} // namespace detail

client launch(const client_options& options, error_code& ec)
{
    std::string error;
    return client(launch_here(options, ec, error));
}

client launch(const client_options& options)
{
    error_code ec;
    std::string error;
    auto impl = launch_here(options, ec, error);
    if (!impl)
        throw boost::system::system_error(ec, error);
    return client(std::move(impl));
}

namespace detail {

void start_launch(client_options options, launch_handler handler)
{
    // A thread of its own: the settings fetch may take until its deadlines, and the handler must never
    // run inside the initiating function.
    std::thread([options = std::move(options), handler = std::move(handler)]() mutable {
        error_code ec;
        std::string error;
        client launched = launch_access::make(launch_here(std::move(options), ec, error));
        auto ex = asio::get_associated_executor(handler, asio::system_executor());
        auto work = asio::prefer(ex, asio::execution::outstanding_work.tracked);
        asio::dispatch(work, [h = std::move(handler), ec, c = std::move(launched)]() mutable {
            std::move(h)(ec, std::move(c));
        });
    }).detach();
}


void start_settings_fetch(settings_request request, settings_handler handler)
{
    // The proxy (and so the environment) is looked at here, on the caller's thread, like launch().
    std::optional<core::proxy_server> proxy;
    bool proxy_unusable = false;
    if (auto origin = core::parse_endpoint(request.endpoint)) {
        auto choice = transport::choose_proxy(request.proxy, *origin);
        if (choice)
            proxy = std::move(choice->server);
        else
            proxy_unusable = true;
    }
    // A one-off exchange before any client exists: it gets its own short-lived
    // io_context and thread, which ends with the exchange (bounded by its deadlines).
    std::thread([request = std::move(request), handler = std::move(handler), proxy = std::move(proxy),
                 proxy_unusable]() mutable {
        auto finish = [&handler](error_code ec, std::string body) {
            auto ex = asio::get_associated_executor(handler, asio::system_executor());
            auto work = asio::prefer(ex, asio::execution::outstanding_work.tracked);
            asio::dispatch(work, [h = std::move(handler), ec, body = std::move(body)]() mutable {
                std::move(h)(ec, std::move(body));
            });
        };
        // Everything that touches Asio or OpenSSL lives and dies inside exchange(), and the
        // thread's OpenSSL state is released before the handler runs: a program that exits as
        // soon as its future is ready must not race OpenSSL's exit-time cleanup with this thread.
        auto exchange = [&]() -> std::pair<error_code, std::string> {
            auto origin = core::parse_endpoint(request.endpoint);
            if (!origin || request.account_id.empty() || request.sdk_key.empty())
                return {make_error_code(errc::invalid_argument), {}};
            if (proxy_unusable)
                return {make_error_code(errc::invalid_options), {}};
            transport::transport_config config;
            config.origin = *origin;
            config.tls.ca_file = request.ca_file;
            config.tls.ca_dir = request.ca_dir;
            config.tls.insecure_skip_verify = request.insecure_skip_verify;
            config.timeouts.connect = std::chrono::milliseconds(request.connect_timeout_ms);
            config.timeouts.tls_handshake = std::chrono::milliseconds(request.connect_timeout_ms);
            config.timeouts.request = std::chrono::milliseconds(request.request_timeout_ms);
            config.max_connections = 1;
            config.max_response_body = transport::settings_response_limit;
            config.proxy = std::move(proxy);

            std::mt19937_64 random{std::random_device{}()};
            auto wire = std::make_shared<core::wire_request>();
            wire->target = core::build_settings_target(origin->base_path, request.account_id, request.sdk_key,
                                                       std::uniform_real_distribution<double>(0, 1)(random),
                                                       sdk_name, sdk_version);
            wire->user_agent = std::string(sdk_name) + "/" + sdk_version;

            asio::io_context ioc(1);
            transport::exchange_result result;
            try {
                transport::http_client http(ioc.get_executor(), config);
                // One exchange, then close: an idle pooled connection would keep run() going.
                http.async_send(wire, [&result, &http](transport::exchange_result r) {
                    result = std::move(r);
                    http.close();
                });
                ioc.run();
            } catch (const transport::transport_setup_error&) {
                return {make_error_code(errc::invalid_options), {}};
            }
            if (error_code ec = transport::classify_settings_response(result))
                return {ec, {}};
            return {error_code{}, std::move(result.body)};
        };
        auto [ec, body] = exchange();
        transport::release_thread_state();
        finish(ec, std::move(body));
    }).detach();
}


} // namespace detail

std::future<std::string> get_settings_file(std::string_view account_id, std::string_view sdk_key,
                                           const settings_fetch_options& options)
{
    std::promise<std::string> promise;
    auto future = promise.get_future();
    get_settings_file(account_id, sdk_key, options,
                      [p = std::move(promise)](error_code ec, std::string body) mutable {
                          if (ec)
                              p.set_exception(std::make_exception_ptr(boost::system::system_error(
                                  ec, "get_settings_file")));
                          else
                              p.set_value(std::move(body));
                      });
    return future;
}


} // namespace vwo
