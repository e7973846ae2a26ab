// vwo::condition (include/vwo/error.hpp): every vwo::errc belongs to exactly the condition that
// docs/troubleshooting.md "Error conditions" documents for it, and nothing else does.

#include <vwo/error.hpp>

#include <catch2/catch.hpp>

#include <boost/system/errc.hpp>

#include <map>
#include <string>

using vwo::condition;
using vwo::errc;

namespace {

constexpr condition all_conditions[] = {condition::network, condition::tls,     condition::proxy,
                                        condition::rejected, condition::limits, condition::gave_up,
                                        condition::dropped, condition::usage,   condition::not_decided};

// The table of docs/troubleshooting.md, code by code.
const std::map<errc, condition>& documented()
{
    static const std::map<errc, condition> table{
        {errc::timeout, condition::network},
        {errc::resolve_failed, condition::network},
        {errc::connect_failed, condition::network},
        {errc::connection_lost, condition::network},
        {errc::bad_response, condition::network},
        {errc::tls_handshake_failed, condition::network},
        {errc::proxy_failed, condition::network},
        {errc::certificate_verification_failed, condition::tls},
        {errc::certificate_untrusted, condition::tls},
        {errc::certificate_expired, condition::tls},
        {errc::certificate_hostname_mismatch, condition::tls},
        {errc::certificate_self_signed, condition::tls},
        {errc::proxy_auth_required, condition::proxy},
        {errc::proxy_rejected, condition::proxy},
        {errc::http_unauthorized, condition::rejected},
        {errc::payload_too_large, condition::rejected},
        {errc::http_rejected, condition::rejected},
        {errc::response_too_large, condition::limits},
        {errc::request_not_sendable, condition::limits},
        {errc::retries_exhausted, condition::gave_up},
        {errc::queue_full, condition::dropped},
        {errc::shutting_down, condition::dropped},
        {errc::invalid_argument, condition::usage},
        {errc::invalid_options, condition::usage},
        {errc::invalid_settings, condition::usage},
        {errc::opted_out, condition::usage},
        {errc::nothing_to_flush, condition::usage},
        {errc::not_launched, condition::usage},
        {errc::campaign_not_found, condition::not_decided},
        {errc::campaign_not_running, condition::not_decided},
        {errc::campaign_type_mismatch, condition::not_decided},
        {errc::user_storage_required, condition::not_decided},
        {errc::variable_not_found, condition::not_decided},
        {errc::variable_type_mismatch, condition::not_decided},
        {errc::goal_not_found, condition::not_decided},
        {errc::goal_type_mismatch, condition::not_decided},
        {errc::revenue_required, condition::not_decided},
        {errc::no_variation, condition::not_decided},
        {errc::already_tracked, condition::not_decided},
    };
    return table;
}

} // namespace

TEST_CASE("every vwo::errc is in exactly its documented condition", "[error]")
{
    // errc values are consecutive from 1; request_not_sendable is the last one.
    const int last = static_cast<int>(errc::request_not_sendable);
    REQUIRE(documented().size() == static_cast<std::size_t>(last));
    for (int value = 1; value <= last; ++value) {
        const auto e = static_cast<errc>(value);
        const boost::system::error_code ec = e;
        INFO(ec.message());
        const auto it = documented().find(e);
        REQUIRE(it != documented().end());
        int matches = 0;
        for (const condition c : all_conditions) {
            if (ec == c) {
                ++matches;
                CHECK(c == it->second);
            }
            CHECK((ec != c) == (c != it->second)); // operator!= agrees
        }
        CHECK(matches == 1);
    }
}

TEST_CASE("conditions compare with error codes in both orders and as error_conditions", "[error]")
{
    const boost::system::error_code timeout = errc::timeout;
    CHECK(timeout == condition::network);
    CHECK(condition::network == timeout);
    CHECK(timeout == vwo::make_error_condition(condition::network));
    const boost::system::error_condition network = condition::network;
    CHECK(network.category() == vwo::condition_category());
    CHECK(timeout == network);
    CHECK(timeout != condition::tls);
    CHECK(boost::system::error_code(errc::http_unauthorized) == condition::rejected);
}

TEST_CASE("codes of other categories and success belong to no condition", "[error]")
{
    const boost::system::error_code success;
    const boost::system::error_code generic = make_error_code(boost::system::errc::timed_out);
    const boost::system::error_code outside(999, vwo::error_category()); // not an errc value
    for (const condition c : all_conditions) {
        CHECK(success != c);
        CHECK(generic != c);
        CHECK(outside != c);
    }
}

TEST_CASE("conditions have a name and a message each", "[error]")
{
    CHECK(std::string(vwo::condition_category().name()) == "vwo.condition");
    for (const condition c : all_conditions) {
        const boost::system::error_condition cond = c;
        CHECK_FALSE(cond.message().empty());
        CHECK(cond.message().find("unknown") == std::string::npos);
    }
}
