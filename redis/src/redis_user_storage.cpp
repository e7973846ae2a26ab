// The public store: where its I/O runs (a thread of its own or the user's executor, behind a strand),
// the key and argv of each operation, what a reply means, and the blocking faces over the async ones.
#include <vwo/redis_user_storage.hpp>

#include "record_codec.hpp"
#include "redis_connection.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <future>
#include <stdexcept>
#include <thread>
#include <utility>

namespace vwo {

using redis_detail::reply;

class redis_user_storage::impl {
public:
    explicit impl(redis_user_storage_options options)
        : options_(checked(std::move(options))),
          own_io_(options_.executor ? nullptr : std::make_shared<boost::asio::io_context>(1)),
          strand_(boost::asio::make_strand(own_io_ ? boost::asio::any_io_executor(own_io_->get_executor())
                                                   : *options_.executor)),
          connection_(std::make_shared<redis_detail::redis_connection>(strand_, options_))
    {
        if (own_io_) {
            work_.emplace(own_io_->get_executor());
            thread_ = std::thread([io = own_io_] { io->run(); });
        }
    }

    static redis_user_storage_options checked(redis_user_storage_options options)
    {
        if (options.host.empty())
            throw std::invalid_argument("redis_user_storage: host is empty");
        if (options.connect_deadline.count() <= 0 || options.command_deadline.count() <= 0)
            throw std::invalid_argument("redis_user_storage: deadlines must be positive");
        if (options.database < 0)
            throw std::invalid_argument("redis_user_storage: database must not be negative");
        if (options.ttl && options.ttl->count() <= 0)
            throw std::invalid_argument("redis_user_storage: ttl must be positive");
        if (options.max_record_bytes == 0)
            throw std::invalid_argument("redis_user_storage: max_record_bytes must be positive");
        return options;
    }

    ~impl()
    {
        // The connection's cleanup runs on the strand: inline when already there, else posted and awaited.
        auto cleanup = [connection = connection_] { connection->close(); };
        if (strand_.running_in_this_thread()) {
            cleanup();
        } else {
            std::promise<void> closed;
            boost::asio::post(strand_, [&closed, cleanup] {
                cleanup();
                closed.set_value();
            });
            closed.get_future().wait();
        }
        if (own_io_) {
            work_.reset(); // the thread ends once the handlers failed by close() have run
            if (thread_.get_id() == std::this_thread::get_id())
                thread_.detach(); // destroyed from its own handler: the thread holds the io_context
            else
                thread_.join();
        }
    }

    void run(std::vector<std::string> argv, redis_detail::reply_function done)
    {
        boost::asio::post(strand_, [connection = connection_, argv = std::move(argv), done = std::move(done)]() mutable {
            connection->execute(std::move(argv), std::move(done));
        });
    }

    // Calls the user's handler on its associated executor (the strand when it has none), never inline:
    // through the strand, then dispatched there, with work counted on it meanwhile.
    template <typename Handler, typename... Args>
    void deliver(Handler handler, Args... args)
    {
        auto work = boost::asio::prefer(boost::asio::get_associated_executor(handler, strand_),
                                        boost::asio::execution::outstanding_work.tracked);
        boost::asio::post(strand_, boost::asio::bind_executor(std::move(work), [handler = std::move(handler),
                                                                               ... args = std::move(args)]() mutable {
                              std::move(handler)(std::move(args)...);
                          }));
    }

    void get(std::string_view user_id, std::string_view campaign_key, get_handler handler)
    {
        // GETRANGE key 0 max: at most max+1 bytes come back, so an oversized value is detected without
        // transferring it. A missing key reads as "" (no record is empty).
        run({"GETRANGE", key_of(user_id, campaign_key), "0", std::to_string(options_.max_record_bytes)},
            [this, h = std::make_shared<get_handler>(std::move(handler))](boost::system::error_code ec, reply r) {
                std::optional<user_storage_record> record;
                if (!ec) {
                    if (r.type == reply::kind::nil || (r.type == reply::kind::string && r.text.empty())) {
                        // nothing stored
                    } else if (r.type != reply::kind::string) {
                        ec = make_error_code(redis_errc::server_error);
                    } else if (r.text.size() > options_.max_record_bytes) {
                        ec = make_error_code(redis_errc::record_too_large);
                    } else {
                        auto decoded = redis_detail::decode_record(r.text);
                        ec = decoded.error;
                        record = std::move(decoded.record);
                    }
                }
                deliver(std::move(*h), ec, std::move(record));
            });
    }

    void set(const user_storage_record& record, set_handler handler)
    {
        std::string value = redis_detail::encode_record(record);
        if (value.size() > options_.max_record_bytes) {
            deliver(std::move(handler), make_error_code(redis_errc::record_too_large));
            return;
        }
        std::vector<std::string> argv{"SET", key_of(record.user_id, record.campaign_key), std::move(value)};
        if (options_.ttl) {
            argv.emplace_back("EX");
            argv.push_back(std::to_string(options_.ttl->count()));
        }
        run(std::move(argv),
            [this, h = std::make_shared<set_handler>(std::move(handler))](boost::system::error_code ec, reply r) {
                if (!ec && r.type != reply::kind::status)
                    ec = make_error_code(redis_errc::server_error);
                deliver(std::move(*h), ec);
            });
    }

    std::string key_of(std::string_view user_id, std::string_view campaign_key) const
    {
        return redis_detail::record_key(options_.key_prefix, user_id, campaign_key);
    }

    // The blocking faces wait for the async operation, which completes within command_deadline; the
    // extra second only guards against a stopped user executor.
    template <typename Result>
    Result wait(std::future<Result>& result, const char* what) const
    {
        if (strand_.running_in_this_thread())
            throw std::logic_error(std::string(what) + " called on the store's own strand (it would wait for itself)");
        if (result.wait_for(options_.command_deadline + std::chrono::seconds(1)) != std::future_status::ready)
            throw boost::system::system_error(make_error_code(redis_errc::timed_out), what);
        return result.get();
    }

private:
    redis_user_storage_options options_;
    std::shared_ptr<boost::asio::io_context> own_io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    std::shared_ptr<redis_detail::redis_connection> connection_;
    std::thread thread_;
};

redis_user_storage::redis_user_storage(redis_user_storage_options options)
    : impl_(std::make_shared<impl>(std::move(options)))
{
}

redis_user_storage::~redis_user_storage() = default;

void redis_user_storage::async_get(std::string_view user_id, std::string_view campaign_key, get_handler handler)
{
    impl_->get(user_id, campaign_key, std::move(handler));
}

void redis_user_storage::async_set(const user_storage_record& record, set_handler handler)
{
    impl_->set(record, std::move(handler));
}

std::optional<user_storage_record> redis_user_storage::get(std::string_view user_id, std::string_view campaign_key)
{
    using result = std::pair<boost::system::error_code, std::optional<user_storage_record>>;
    auto promise = std::make_shared<std::promise<result>>();
    auto future = promise->get_future();
    impl_->get(user_id, campaign_key, [promise](boost::system::error_code ec, std::optional<user_storage_record> r) {
        promise->set_value({ec, std::move(r)});
    });
    auto [ec, record] = impl_->wait(future, "vwo::redis_user_storage::get");
    if (ec)
        throw boost::system::system_error(ec, "vwo::redis_user_storage::get");
    return std::move(record);
}

void redis_user_storage::set(const user_storage_record& record)
{
    auto promise = std::make_shared<std::promise<boost::system::error_code>>();
    auto future = promise->get_future();
    impl_->set(record, [promise](boost::system::error_code ec) { promise->set_value(ec); });
    if (auto ec = impl_->wait(future, "vwo::redis_user_storage::set"))
        throw boost::system::system_error(ec, "vwo::redis_user_storage::set");
}

std::string redis_user_storage::key_of(std::string_view user_id, std::string_view campaign_key) const
{
    return impl_->key_of(user_id, campaign_key);
}

} // namespace vwo
