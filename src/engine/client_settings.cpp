// client_impl's live-settings API (docs/settings.md): the on-demand pull in its three faces, applying a
// settings text the caller got, and reading the one in use. Polling itself is the settings_refresher's.

#include "engine/api_faces.hpp"
#include "engine/client_impl.hpp"

#include <vwo/error.hpp>

#include <boost/asio/post.hpp>

namespace vwo {

namespace asio = boost::asio;
using boost::system::error_code;
using engine::never_broken_promise;

bool client_impl::run_refresh(detail::refresh_handler handler, early_completion early)
{
    error_code refused;
    if (opted_out_.load(std::memory_order_relaxed))
        refused = make_error_code(errc::opted_out);
    else if (!admission_.accepting())
        refused = make_error_code(errc::shutting_down);
    if (refused) {
        log_->warn("get_and_update_settings_file: not started (" + refused.message() + ")");
        if (handler)
            complete_soon(std::move(handler), refused, false, early);
        return false;
    }
    asio::post(host_.executor(), [self = shared_from_this(), handler = std::move(handler)]() mutable {
        // After a shutdown finished, the closed settings transport ends this at once (shutting_down).
        self->refresher_->refresh(engine::refresh_kind::pull,
                                  [self, handler = std::move(handler)](error_code ec, bool changed) mutable {
                                      if (handler)
                                          self->complete_soon(std::move(handler), ec, changed,
                                                              early_completion::posted);
                                  });
    });
    return true;
}

api_result<bool> client_impl::get_and_update_settings_file()
{
    if (!promise_mode(options_.return_promise_for.get_and_update_settings_file))
        return api_result<bool>(run_refresh({}));
    never_broken_promise<bool> p(false);
    auto future = p.get_future();
    run_refresh([p = std::move(p)](error_code ec, bool) mutable { p.set(!ec); }, early_completion::at_once);
    return api_result<bool>(std::move(future));
}

void client_impl::start_refresh(detail::refresh_handler handler)
{
    run_refresh(std::move(handler));
}

error_code client_impl::update_settings_file(std::string_view settings_json)
{
    account_.begin_refresh();
    auto applied = account_.apply(std::string(settings_json));
    if (!applied) {
        log_->error("update_settings_file: " + applied.error().message + "; the settings in use stay");
        return applied.error().code;
    }
    if (*applied == engine::settings_change::updated)
        log_->info("update_settings_file: the client now uses the new settings");
    else
        log_->info("update_settings_file: the settings are the same as those in use");
    return {};
}

std::string client_impl::settings_file() const
{
    return account_.load()->json;
}

} // namespace vwo
