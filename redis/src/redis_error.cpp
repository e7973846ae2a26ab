// The vwo.redis error category. Messages are fixed texts: nothing from the server or the options (the
// password above all) ever goes into one.
#include <vwo/redis_user_storage.hpp>

#include <string>
#include <system_error>

namespace vwo {
namespace {

class redis_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "vwo.redis"; }

    std::string message(int value) const override
    {
        switch (static_cast<redis_errc>(value)) {
        case redis_errc::timed_out: return "Redis did not answer within the command deadline";
        case redis_errc::connect_failed: return "could not connect to Redis within the connect deadline";
        case redis_errc::connection_lost: return "the connection to Redis closed before the answer";
        case redis_errc::authentication_failed: return "Redis refused the password (AUTH)";
        case redis_errc::select_failed: return "Redis refused to select the database (SELECT)";
        case redis_errc::server_error: return "Redis answered with an error";
        case redis_errc::record_too_large: return "user storage record larger than max_record_bytes";
        case redis_errc::malformed_record: return "stored value is not a user storage record";
        case redis_errc::shut_down: return "the Redis user store was destroyed";
        }
        return "unknown Redis user store error";
    }

    boost::system::error_condition default_error_condition(int value) const noexcept override
    {
        if (static_cast<redis_errc>(value) == redis_errc::timed_out)
            return boost::system::errc::make_error_code(boost::system::errc::timed_out).default_error_condition();
        return {value, *this};
    }
};

} // namespace

const boost::system::error_category& redis_category() noexcept
{
    static const redis_category_impl category;
    return category;
}

boost::system::error_code make_error_code(redis_errc e) noexcept
{
    return {static_cast<int>(e), redis_category()};
}

} // namespace vwo
