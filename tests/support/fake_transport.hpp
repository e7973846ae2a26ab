#pragma once

// A transport for engine tests: it records every request the engine hands it and answers only when
// the test says so, through the engine's executor (never inside async_send). With manual_clock and a
// test-owned io_context run by poll(), the engine is deterministic: no sockets, no sleeps.

#include "transport/transport.hpp"

#include <vwo/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <deque>
#include <iterator>
#include <string_view>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vwo::test {

/// What the test sees of the fake network: the requests waiting for an answer, and every request sent.
/// Thread-safety: the test thread only (it also runs the io_context).
struct fake_network {
    struct exchange {
        std::shared_ptr<const core::wire_request> request;
        transport::exchange_handler handler;
    };

    boost::asio::any_io_executor executor;
    std::deque<exchange> waiting;                                 ///< in the order sent
    std::vector<std::shared_ptr<const core::wire_request>> sent; ///< every attempt
    bool closed = false;
    unsigned close_calls = 0;

    /// Answers the oldest waiting request with `status` (and a Retry-After value when given).
    void answer(unsigned status, std::optional<std::string> retry_after = std::nullopt)
    {
        transport::exchange_result r;
        r.status = status;
        r.retry_after = std::move(retry_after);
        r.bytes_sent = waiting.front().request->body.size() + 100;
        finish_front(std::move(r));
    }
    /// Answers the oldest waiting request whose target starts with `path` with `status` and `body`.
    /// Returns false when none waits.
    bool answer_path(std::string_view path, unsigned status, std::string body = {})
    {
        for (auto it = waiting.begin(); it != waiting.end(); ++it) {
            if (it->request->target.rfind(path, 0) != 0)
                continue;
            transport::exchange_result r;
            r.status = status;
            r.body = std::move(body);
            r.bytes_sent = it->request->body.size() + 100;
            std::rotate(waiting.begin(), it, std::next(it)); // to the front, the others keep their order
            finish_front(std::move(r));
            return true;
        }
        return false;
    }
    /// How many waiting requests have a target that starts with `path`.
    std::size_t waiting_for(std::string_view path) const
    {
        return static_cast<std::size_t>(std::count_if(waiting.begin(), waiting.end(), [&](const exchange& e) {
            return e.request->target.rfind(path, 0) == 0;
        }));
    }
    /// Ends the oldest waiting request with a transport error (nothing was written).
    void fail(errc error)
    {
        transport::exchange_result r;
        r.error = make_error_code(error);
        r.detail = "fake " + r.error.message();
        finish_front(std::move(r));
    }
    void finish_front(transport::exchange_result r)
    {
        auto e = std::move(waiting.front());
        waiting.pop_front();
        boost::asio::post(executor,
                          [h = std::move(e.handler), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
    }
};

/// Thread-safety: as vwo::transport::transport (the engine's strand, which tests run on their thread).
class fake_transport final : public transport::transport {
public:
    fake_transport(boost::asio::any_io_executor executor, std::shared_ptr<fake_network> net) : net_(std::move(net))
    {
        net_->executor = std::move(executor);
    }

    void async_send(std::shared_ptr<const core::wire_request> request,
                    vwo::transport::exchange_handler handler) override
    {
        net_->sent.push_back(request);
        if (net_->closed) {
            vwo::transport::exchange_result r;
            r.error = make_error_code(errc::shutting_down);
            boost::asio::post(net_->executor, [h = std::move(handler), r = std::move(r)]() mutable {
                std::move(h)(std::move(r));
            });
            return;
        }
        net_->waiting.push_back({std::move(request), std::move(handler)});
    }

    void close() override
    {
        ++net_->close_calls;
        net_->closed = true;
        while (!net_->waiting.empty()) {
            vwo::transport::exchange_result r;
            r.error = make_error_code(errc::shutting_down);
            net_->finish_front(std::move(r));
        }
    }

private:
    std::shared_ptr<fake_network> net_;
};

} // namespace vwo::test
