// The CSV and JSONL readers: RFC 4180 quoting, line numbers, and a reason for every bad row.

#include "row_reader.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

using namespace vwo::cli;

namespace {

struct read_result {
    std::vector<row> rows;
    std::string fatal;
};

read_result read_all(input_format format, const std::string& text)
{
    std::istringstream in(text);
    auto reader = make_reader(format, in);
    read_result result;
    while (auto r = reader->next())
        result.rows.push_back(std::move(*r));
    result.fatal = reader->fatal_error();
    return result;
}

read_result csv(const std::string& text)
{
    return read_all(input_format::csv, text);
}

read_result jsonl(const std::string& text)
{
    return read_all(input_format::jsonl, text);
}

} // namespace

TEST_CASE("csv: plain rows carry their fields and line numbers", "[cli][csv]")
{
    const auto r = csv("user_id,key,value\nu1,plan,gold\nu2,price,20\n");
    REQUIRE(r.fatal.empty());
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].line == 2);
    CHECK(r.rows[0].user_id == "u1");
    CHECK(r.rows[0].key == "plan");
    CHECK(r.rows[0].value == "gold");
    CHECK(r.rows[0].ok());
    CHECK(r.rows[1].line == 3);
    CHECK(r.rows[1].value == "20");
}

TEST_CASE("csv: quoted fields hold commas, doubled quotes and line breaks", "[cli][csv]")
{
    const auto r = csv("user_id,key,value\n"
                       "\"u,1\",\"say \"\"hi\"\"\",\"a\nb\"\n"
                       "u2,\"\",\"\"\"\"\n"
                       "u3,k,v\n");
    REQUIRE(r.rows.size() == 3);
    CHECK(r.rows[0].user_id == "u,1");
    CHECK(r.rows[0].key == "say \"hi\"");
    CHECK(r.rows[0].value == "a\nb");
    CHECK(r.rows[0].line == 2);
    CHECK(r.rows[1].key.empty()); // an empty quoted field is a field; validation rejects it later
    CHECK(r.rows[1].value == "\"");
    CHECK(r.rows[1].line == 4); // the quoted line break moved it down
    CHECK(r.rows[2].line == 5);
}

TEST_CASE("csv: CRLF, a byte-order mark, blank lines and no final line break", "[cli][csv]")
{
    const auto r = csv("\xEF\xBB\xBF\r\nuser_id,key,value\r\n\r\nu1,k,\"x\r\ny\"\r\n   \r\n\t\nu2,k,last");
    REQUIRE(r.fatal.empty());
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].line == 4);
    CHECK(r.rows[0].value == "x\r\ny"); // inside quotes a CRLF is data, kept as written
    CHECK(r.rows[1].line == 8);
    CHECK(r.rows[1].value == "last");
}

TEST_CASE("csv: fields are taken verbatim and a lone CR is data", "[cli][csv]")
{
    const auto r = csv("user_id,key,value\n u1 , k ,a\rb\n");
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].user_id == " u1 ");
    CHECK(r.rows[0].key == " k ");
    CHECK(r.rows[0].value == "a\rb");
}

TEST_CASE("csv: the header names the columns, in any order and case", "[cli][csv]")
{
    const auto r = csv("Value, KEY ,user_id\ngold,plan,u1\n");
    REQUIRE(r.fatal.empty());
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].user_id == "u1");
    CHECK(r.rows[0].key == "plan");
    CHECK(r.rows[0].value == "gold");
}

TEST_CASE("csv: an unusable header is fatal and names the problem", "[cli][csv]")
{
    CHECK(csv("").fatal.find("empty") != std::string::npos);
    CHECK(csv("\n\n").fatal.find("empty") != std::string::npos);
    CHECK(csv("u1,plan,gold\n").fatal == "line 1: unknown column \"u1\" in the header (expected user_id,key,value)");
    CHECK(csv("user_id,key\n").fatal.find("no \"value\" column") != std::string::npos);
    CHECK(csv("user_id,key,value,extra\n").fatal.find("unknown column \"extra\"") != std::string::npos);
    CHECK(csv("user_id,key,key\n").fatal.find("appears twice") != std::string::npos);
    CHECK(csv("\"user_id,key,value\n").fatal.find("bad header") != std::string::npos);
    CHECK(csv("\n\nfoo,key,value\n").fatal.rfind("line 3: ", 0) == 0);
    CHECK(csv("\xEF\xBB").fatal.find("does not start with the header") != std::string::npos);
}

TEST_CASE("csv: bad rows come back with a reason and reading goes on", "[cli][csv]")
{
    const auto r = csv("user_id,key,value\n"
                       "u1,k\n"                 // 2: too few
                       "u2,k,v,w\n"             // 3: too many
                       "u3,a\"b,v\n"            // 4: quote in an unquoted field
                       "u4,\"k\"x,v\n"          // 5: text after the closing quote
                       "u5,k,v\n"               // 6: fine
                       "u6,k,\"open\n"          // 7: never closed ...
                       "u7,k,v\n");             // ... swallows this line
    REQUIRE(r.fatal.empty());
    REQUIRE(r.rows.size() == 6);
    CHECK(r.rows[0].line == 2);
    CHECK(r.rows[0].error == "expected 3 fields (user_id,key,value), found 2");
    CHECK(r.rows[1].error == "expected 3 fields (user_id,key,value), found 4");
    CHECK(r.rows[2].line == 4);
    CHECK(r.rows[2].error.find("field 2 has a double quote but is not quoted") == 0);
    CHECK(r.rows[3].error == "field 2 has text after its closing quote");
    CHECK(r.rows[4].ok());
    CHECK(r.rows[4].line == 6);
    CHECK(r.rows[5].line == 7);
    CHECK(r.rows[5].error == "unterminated quoted field: the quote opened on line 7 is never closed");
}

TEST_CASE("csv: a runaway record is reported without being kept in memory", "[cli][csv]")
{
    std::string text = "user_id,key,value\nu1,k,\"";
    text += std::string(max_record_bytes + 10, 'x');
    text += "\"\nu2,k,v\n";
    const auto r = csv(text);
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].error.find("longer than 1 MiB") != std::string::npos);
    CHECK(r.rows[0].value.empty());
    CHECK(r.rows[1].ok());
    CHECK(r.rows[1].line == 3);
}

TEST_CASE("csv: count_rows counts valid and invalid rows, not blank lines", "[cli][csv]")
{
    std::istringstream in("user_id,key,value\nu,k,v\n\nbad\n\"x\ny\",k,v\n");
    csv_reader reader(in);
    CHECK(count_rows(reader) == 3u);
    std::istringstream bad("nope\n");
    csv_reader bad_reader(bad);
    CHECK_FALSE(count_rows(bad_reader).has_value());
}

TEST_CASE("jsonl: one object per line, numbers and booleans as their JSON text", "[cli][jsonl]")
{
    const auto r = jsonl("\xEF\xBB\xBF{\"user_id\":\"u1\",\"key\":\"plan\",\"value\":\"gold\"}\r\n"
                         "\n"
                         "  \t\n"
                         "{\"value\":20,\"key\":\"price\",\"user_id\":42,\"other\":[1]}\n"
                         "{\"user_id\":\"u3\",\"key\":\"vip\",\"value\":false}\n"
                         "{\"user_id\":\"u4\",\"key\":\"ratio\",\"value\":0.5}");
    REQUIRE(r.fatal.empty());
    REQUIRE(r.rows.size() == 4);
    CHECK(r.rows[0].line == 1);
    CHECK(r.rows[0].user_id == "u1");
    CHECK(r.rows[0].value == "gold");
    CHECK(r.rows[1].line == 4);
    CHECK(r.rows[1].user_id == "42");
    CHECK(r.rows[1].value == "20");
    CHECK(r.rows[2].value == "false");
    CHECK(r.rows[3].value == "0.5");
    CHECK(r.rows[3].line == 6);
}

TEST_CASE("jsonl: strings keep escapes decoded and Unicode intact", "[cli][jsonl]")
{
    const auto r = jsonl(R"({"user_id":"u\"1","key":"a,b","value":"ü\n\u00e9"})");
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].user_id == "u\"1");
    CHECK(r.rows[0].key == "a,b");
    CHECK(r.rows[0].value == "ü\n\xC3\xA9");
}

TEST_CASE("jsonl: bad lines come back with a reason and reading goes on", "[cli][jsonl]")
{
    const auto r = jsonl("{\"user_id\":\"u\",\"key\":\"k\"}\n"
                         "{\"user_id\":\"u\",\"key\":\"k\",\"value\":null}\n"
                         "{\"user_id\":[1],\"key\":\"k\",\"value\":\"v\"}\n"
                         "{\"user_id\":\"u\",\"key\":true,\"value\":\"v\"}\n"
                         "[1,2]\n"
                         "{\"user_id\":\"u\",\"key\":\"k\",\"value\":\"v\"\n"
                         "{\"user_id\":\"u\",\"key\":\"k\",\"value\":\"\xFF\"}\n"
                         "{\"user_id\":\"u\",\"key\":\"k\",\"value\":{}}\n"
                         "{\"user_id\":\"u\",\"key\":\"k\",\"value\":\"fine\"}\n");
    REQUIRE(r.rows.size() == 9);
    CHECK(r.rows[0].error == "missing \"value\"");
    CHECK(r.rows[1].error == "\"value\" must be a string, number or boolean, found a null");
    CHECK(r.rows[2].error == "\"user_id\" must be a string or a number, found an array");
    CHECK(r.rows[3].error == "\"key\" must be a string, found a boolean");
    CHECK(r.rows[4].error == "expected a JSON object {\"user_id\":…,\"key\":…,\"value\":…}, found an array");
    CHECK(r.rows[5].error.rfind("not valid JSON at column ", 0) == 0);
    CHECK(r.rows[6].error.rfind("not valid JSON at column ", 0) == 0);
    CHECK(r.rows[7].error == "\"value\" must be a string, number or boolean, found an object");
    CHECK(r.rows[8].ok());
    for (std::size_t i = 0; i < r.rows.size(); ++i)
        CHECK(r.rows[i].line == i + 1);
}

TEST_CASE("one_row_reader yields its row once", "[cli]")
{
    one_row_reader reader(row{1, "u", "k", "v", {}});
    auto first = reader.next();
    REQUIRE(first);
    CHECK(first->key == "k");
    CHECK_FALSE(reader.next());
}
