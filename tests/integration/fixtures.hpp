#pragma once

// Shared set-up for integration tests: settings files, options aimed at a local
// collector, and small decoding helpers. Everything talks to 127.0.0.1 only.

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <future>
#include <mutex>
#include <string>
#include <vector>

namespace vwo::test {

inline constexpr const char* sdk_key = "abcdef0123456789abcdef0123456789";

inline std::string settings_json(long long account_id = 123456, bool event_arch = false,
                                 const std::string& collection_prefix = "")
{
    nlohmann::json s = {{"accountId", account_id}, {"sdkKey", sdk_key}, {"version", 1},
                        {"campaigns", nlohmann::json::array()}};
    if (event_arch)
        s["isEventArchEnabled"] = true;
    if (!collection_prefix.empty())
        s["collectionPrefix"] = collection_prefix;
    return s.dump();
}

/// Collects log lines so tests can assert on them (and keep test output quiet).
/// Thread-safety: lines() and the logger may be used from any thread.
class log_capture {
public:
    log_capture() = default;
    log_capture(const log_capture&) = delete;
    log_capture& operator=(const log_capture&) = delete;
    // Takes the lock so the last lines written by SDK threads are ordered before destruction.
    ~log_capture()
    {
        std::lock_guard lock(mutex_);
        lines_.clear();
    }

    vwo::log_callback callback()
    {
        return [this](vwo::log_level level, std::string_view message) {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(level, std::string(message));
        };
    }
    std::vector<std::pair<vwo::log_level, std::string>> lines() const
    {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    bool contains(vwo::log_level level, std::string_view text) const
    {
        std::lock_guard lock(mutex_);
        for (const auto& [l, m] : lines_)
            if (l == level && m.find(text) != std::string::npos)
                return true;
        return false;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<vwo::log_level, std::string>> lines_;
};

/// Options aimed at `endpoint` with test-sized retry delays and deadlines (also for endpoints that are
/// not a local_collector: a refused port, a proxy, a raw server).
inline vwo::client_options options_at(std::string endpoint, log_capture& logs, std::string settings = settings_json())
{
    vwo::client_options o;
    o.settings_file = std::move(settings);
    o.endpoint = std::move(endpoint);
    o.logging.logger = logs.callback();
    o.logging.level = vwo::log_level::debug;
    o.retry.base_delay = std::chrono::milliseconds(5);
    o.retry.max_delay = std::chrono::milliseconds(20);
    o.retry.max_retries = 2;
    o.retry.max_elapsed_time = std::chrono::milliseconds(0); // the count alone: tests assert exact attempts
    o.timeouts.request = std::chrono::seconds(3);
    o.shutdown_timeout = std::chrono::seconds(3);
    // Hermetic: an https_proxy / ALL_PROXY in the environment of whoever runs the tests must not
    // divert requests meant for 127.0.0.1 (the proxy tests opt back in explicitly).
    o.proxy.use_environment = false;
    return o;
}

/// Options aimed at `collector` with test-sized retry delays and deadlines.
inline vwo::client_options options_for(const vwo::tools::local_collector& collector, log_capture& logs,
                                       std::string settings = settings_json())
{
    return options_at(collector.endpoint(), logs, std::move(settings));
}

/// The set-up most integration tests open with: a collector on 127.0.0.1, a log capture, and
/// options_for() them. Script `collector`, adjust `opts`, then launch(). For TEST_CASE_METHOD or
/// as a base of a file's own fixture. The members are declared so that `client` is destroyed (and
/// shut down) before the logs and the collector it uses, as in the set-up this replaces.
struct collector_fixture {
    explicit collector_fixture(std::string settings = settings_json())
        : opts(options_for(collector, logs, std::move(settings)))
    {
    }
    collector_fixture(const collector_fixture&) = delete;
    collector_fixture& operator=(const collector_fixture&) = delete;

    /// Launches `client` with `opts` (throws what vwo::launch throws).
    vwo::client& launch()
    {
        client = vwo::launch(opts);
        return client;
    }

    vwo::tools::local_collector collector;
    log_capture logs;
    vwo::client_options opts;
    vwo::client client;
};

/// What an async_push completed with.
struct push_outcome {
    boost::system::error_code ec;
    vwo::push_result result;
};

/// A use_future token for async_push that keeps both the error and the push_result.
inline auto push_outcome_future()
{
    return boost::asio::use_future(
        [](boost::system::error_code ec, vwo::push_result r) { return push_outcome{ec, std::move(r)}; });
}

/// One async_push of a single dimension, as a future of its outcome.
inline std::future<push_outcome> push_one(vwo::client& c, std::string key = "k", std::string value = "v",
                                          std::string user = "u")
{
    return c.async_push(key, value, user, push_outcome_future());
}

/// A TLS collector configuration serving `cert` / `key`.
inline vwo::tools::collector_options tls_collector(const std::string& cert, const std::string& key)
{
    vwo::tools::collector_options o;
    o.tls = true;
    o.cert_chain_file = cert;
    o.private_key_file = key;
    return o;
}

/// A loopback port nothing listens on (bound, then released): connecting to it is refused.
inline std::uint16_t free_port()
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(
        ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    const auto port = acceptor.local_endpoint().port();
    acceptor.close();
    return port;
}

/// Every wait in the tests is bounded by this.
inline constexpr std::chrono::seconds test_deadline{10};

template <class T>
bool ready_within(std::future<T>& f, std::chrono::milliseconds d = test_deadline)
{
    return f.wait_for(d) == std::future_status::ready;
}

/// Decodes %XX escapes once ('+' stays '+'), as a collector decodes a query value.
inline std::string percent_decode(const std::string& text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

inline nlohmann::json json_of(const std::string& text)
{
    return nlohmann::json::parse(text);
}

/// accepted == delivered + failed + dropped + queued + in_flight (reliability R5).
inline bool accounting_holds(const vwo::client_stats& s)
{
    return s.accepted == s.delivered + s.failed() + s.dropped() + s.queued + s.in_flight;
}

/// Sets (or clears) an environment variable for the scope; restores the previous value after.
/// Thread-safety: setenv is not safe against concurrent getenv, so use it only around launch()
/// of clients that aim at 127.0.0.1 (no resolver thread runs; OpenSSL reads SSL_CERT_FILE /
/// SSL_CERT_DIR and the proxy variables are read on the launching thread).
class env_override {
public:
    env_override(const char* name, const std::optional<std::string>& value) : name_(name)
    {
        if (const char* old = std::getenv(name))
            old_ = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~env_override()
    {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    env_override(const env_override&) = delete;
    env_override& operator=(const env_override&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

} // namespace vwo::test
