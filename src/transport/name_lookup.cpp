#include "transport/name_lookup.hpp"
#include "transport/http_client.hpp" // system_resolver
#include "transport/proxy_tunnel.hpp" // is_ip_literal

#include <vwo/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <thread>

namespace vwo::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

name_lookup::name_lookup(asio::any_io_executor executor, resolve_function resolver, std::string host,
                         std::uint16_t port, bool proxy, std::chrono::milliseconds deadline)
    : executor_(std::move(executor)), resolver_(resolver ? std::move(resolver) : system_resolver()),
      host_(std::move(host)), port_(port), proxy_(proxy), is_ip_(is_ip_literal(host_)), deadline_(deadline)
{
    gate_->executor = executor_;
}

void name_lookup::stop()
{
    std::lock_guard lock(gate_->mutex);
    gate_->executor.reset();
}

asio::awaitable<error_code> name_lookup::resolve(std::string& detail)
{
    if (!resolved_.empty())
        co_return error_code{};
    if (is_ip_) {
        resolved_.emplace_back(asio::ip::make_address(host_), port_);
        co_return error_code{};
    }
    // A lookup cannot be cancelled: wait on our own timer and leave a hung one behind.
    // Its late answer reaches the executor only while the gate is open (see stop).
    struct lookup {
        explicit lookup(const asio::any_io_executor& ex) : done(ex) {}
        asio::steady_timer done;
        error_code ec;
        std::vector<tcp::endpoint> endpoints;
        bool finished = false;
    };
    auto state = std::make_shared<lookup>(executor_);
    state->done.expires_after(deadline_);
    // The callback may outlive the client (a resolver thread still blocked), so it holds
    // the lookup only weakly: owning it would destroy its timer after the io_context.
    std::weak_ptr<lookup> weak_state = state;
    resolver_(host_, port_, [weak_state, gate = gate_](error_code ec, std::vector<tcp::endpoint> endpoints) {
        std::lock_guard lock(gate->mutex);
        if (!gate->executor)
            return;
        asio::post(*gate->executor, [weak_state, ec, endpoints = std::move(endpoints)]() mutable {
            auto state = weak_state.lock();
            if (!state || state->finished)
                return;
            state->ec = ec;
            state->endpoints = std::move(endpoints);
            state->finished = true;
            state->done.cancel();
        });
    });
    co_await state->done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!state->finished) {
        state->finished = true; // a late answer is ignored
        detail = "resolving " + std::string(proxy_ ? "proxy host " : "") + host_ +
                 " took longer than the resolve deadline";
        co_return make_error_code(errc::timeout);
    }
    if (state->ec || state->endpoints.empty()) {
        detail = "cannot resolve " + std::string(proxy_ ? "proxy host " : "") + host_ + ": " + state->ec.message();
        co_return make_error_code(errc::resolve_failed);
    }
    resolved_ = std::move(state->endpoints);
    co_return error_code{};
}

resolve_function system_resolver()
{
    return [](const std::string& host, std::uint16_t port, resolve_callback done) {
        std::thread([host, port, done = std::move(done)] {
            addrinfo hints{};
            hints.ai_family = AF_UNSPEC;
            hints.ai_socktype = SOCK_STREAM;
            addrinfo* list = nullptr;
            const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
            std::vector<tcp::endpoint> endpoints;
            if (rc == 0) {
                for (addrinfo* a = list; a; a = a->ai_next) {
                    if (a->ai_family == AF_INET)
                        endpoints.emplace_back(
                            asio::ip::address_v4(ntohl(reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr.s_addr)),
                            port);
                    else if (a->ai_family == AF_INET6) {
                        asio::ip::address_v6::bytes_type bytes;
                        std::memcpy(bytes.data(), &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, 16);
                        endpoints.emplace_back(asio::ip::address_v6(bytes), port);
                    }
                }
                ::freeaddrinfo(list);
            }
            // Decide before the call: the by-value vector parameter may be move-constructed from
            // `endpoints` before the other argument is evaluated (g++ does, right to left).
            const error_code ec = rc == 0 && !endpoints.empty() ? error_code{} : asio::error::host_not_found;
            done(ec, std::move(endpoints));
        }).detach();
    };
}

} // namespace vwo::transport
