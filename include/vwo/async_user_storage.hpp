#pragma once

// An asynchronous user store (docs/decisions.md#asynchronous-user-storage): the same records as
// vwo::user_storage, read and written without blocking a thread, for stores behind a network round trip
// (Redis, a database, a remote cache). vwo::redis_user_storage (target vwo::redis) is one.

#include <vwo/export.hpp>
#include <vwo/user_storage.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/system/error_code.hpp>

#include <optional>
#include <string_view>

namespace vwo {

/// Your asynchronous store. Each function starts the operation and returns; the handler is called once,
/// on any thread (the SDK moves on to its own executor), with an empty error and the result, or with an
/// error. A store that fails, throws or does not answer within client_options::storage_deadline never
/// fails the call: the decision is made afresh as without storage, and the failure is logged and counted.
/// A handler that arrives after the deadline is ignored.
///
/// Thread-safety: called concurrently from several threads (the callers' and the SDK's); an
/// implementation must allow that.
class VWO_API async_user_storage {
public:
    using get_handler =
        boost::asio::any_completion_handler<void(boost::system::error_code, std::optional<user_storage_record>)>;
    using set_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

    virtual ~async_user_storage() = default;
    /// Reads the record of `user_id` in `campaign_key`: (no error, nullopt) when there is none. The views are
    /// valid only during the call; copy what the operation needs.
    virtual void async_get(std::string_view user_id, std::string_view campaign_key, get_handler handler) = 0;
    /// Stores (replaces) the record of record.user_id in record.campaign_key, meta_data included.
    virtual void async_set(const user_storage_record& record, set_handler handler) = 0;
};

} // namespace vwo
