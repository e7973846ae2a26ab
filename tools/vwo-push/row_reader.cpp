#include "row_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

namespace vwo::cli {

namespace {

constexpr const char* expected_header = "user_id,key,value";

bool is_blank_byte(char c)
{
    return c == ' ' || c == '\t';
}

std::string trim_and_lower(std::string text)
{
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    text = text.substr(first, text.find_last_not_of(" \t") - first + 1);
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1, column 7: ";
// the line is always 1 here (one JSON text per line), so keep only the column and the reason.
std::string describe_parse_error(const nlohmann::json::parse_error& e)
{
    std::string message = e.what();
    if (const auto at = message.find("column "); at != std::string::npos)
        message = message.substr(at);
    return "not valid JSON at " + message;
}

std::string type_phrase(const nlohmann::json& j)
{
    const std::string name = j.type_name();
    const bool vowel = !name.empty() && std::string_view("aeiou").find(name.front()) != std::string_view::npos;
    return std::string(vowel ? "an " : "a ") + name;
}

// The text of member `name`, or why it cannot be used. Numbers (and booleans, when allowed) become
// their JSON text, which is what a user typing `"value": 20` means.
std::optional<std::string> member_text(const nlohmann::json& object, const char* name, bool allow_number,
                                       bool allow_boolean, std::string& error)
{
    const auto it = object.find(name);
    if (it == object.end()) {
        error = std::string("missing \"") + name + "\"";
        return std::nullopt;
    }
    if (it->is_string())
        return it->get<std::string>();
    if ((allow_number && it->is_number()) || (allow_boolean && it->is_boolean()))
        return it->dump();
    std::string allowed = "a string";
    if (allow_number && allow_boolean)
        allowed = "a string, number or boolean";
    else if (allow_number)
        allowed = "a string or a number";
    error = std::string("\"") + name + "\" must be " + allowed + ", found " + type_phrase(*it);
    return std::nullopt;
}

} // namespace

bool byte_source::fill()
{
    if (!in_.good())
        return false;
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    pos_ = 0;
    end_ = static_cast<std::size_t>(in_.gcount());
    return end_ != 0;
}

// ---------------------------------------------------------------------------------------------
// CSV

csv_reader::csv_reader(std::istream& in) : source_(in)
{
    // A UTF-8 byte-order mark (spreadsheet exports often write one) is not part of the first column's name.
    if (source_.peek() == 0xEF) {
        const int b0 = source_.get();
        const int b1 = source_.get();
        const int b2 = source_.get();
        if (b0 != 0xEF || b1 != 0xBB || b2 != 0xBF) {
            fatal_error_ = std::string("line 1: the file does not start with the header ") + expected_header;
            return;
        }
    }
    std::optional<record> header;
    do
        header = read_record();
    while (header && header->blank && header->fields.size() == 1);
    if (!header) {
        fatal_error_ = source_.failed() ? std::string("read error before the header")
                                        : std::string("the file is empty: expected the header ") + expected_header;
        return;
    }
    const std::string where = "line " + std::to_string(header->line) + ": ";
    if (!header->error.empty()) {
        fatal_error_ = where + "bad header: " + header->error;
        return;
    }
    std::optional<std::size_t> user, key, value;
    for (std::size_t i = 0; i < header->fields.size(); ++i) {
        const std::string name = trim_and_lower(header->fields[i]);
        std::optional<std::size_t>* slot = name == "user_id" ? &user : name == "key" ? &key : name == "value" ? &value
                                                                                                            : nullptr;
        if (!slot) {
            fatal_error_ = where + "unknown column \"" + header->fields[i] + "\" in the header (expected " +
                           expected_header + ")";
            return;
        }
        if (*slot) {
            fatal_error_ = where + "column \"" + name + "\" appears twice in the header";
            return;
        }
        *slot = i;
    }
    if (!user || !key || !value) {
        const char* missing = !user ? "user_id" : !key ? "key" : "value";
        fatal_error_ = where + "the header has no \"" + missing + "\" column (expected " + expected_header + ")";
        return;
    }
    columns_ = header->fields.size();
    user_column_ = *user;
    key_column_ = *key;
    value_column_ = *value;
}

std::optional<csv_reader::record> csv_reader::read_record()
{
    enum class state { field_start, unquoted, quoted, after_quote };
    record rec;
    rec.line = line_;
    rec.fields.emplace_back();
    state st = state::field_start;
    std::uint64_t quote_line = 0;
    std::size_t stored = 0;
    bool too_long = false;
    bool any_byte = false;

    auto fail = [&rec](std::string reason) {
        if (rec.error.empty()) // the first problem explains the rest
            rec.error = std::move(reason);
    };
    auto append = [&](char c) {
        if (stored >= max_record_bytes) {
            too_long = true; // keep reading to the record's end so the next row starts in the right place
            return;
        }
        rec.fields.back() += c;
        ++stored;
        if (!is_blank_byte(c))
            rec.blank = false;
    };
    auto field_number = [&rec] { return std::to_string(rec.fields.size()); };

    for (;;) {
        const int c = source_.get();
        if (c < 0) {
            if (!any_byte)
                return std::nullopt;
            if (st == state::quoted)
                rec.error = "unterminated quoted field: the quote opened on line " + std::to_string(quote_line) +
                            " is never closed";
            break;
        }
        any_byte = true;
        const char ch = static_cast<char>(c);

        if (st == state::quoted) {
            if (ch == '"') {
                if (source_.peek() == '"') {
                    source_.get();
                    append('"');
                } else {
                    st = state::after_quote;
                }
            } else {
                if (ch == '\n')
                    ++line_;
                append(ch); // line breaks inside quotes are data, CRLF kept as written
            }
            continue;
        }

        // Outside quotes: a record ends at LF or CRLF; a lone CR is data.
        if (ch == '\n' || (ch == '\r' && source_.peek() == '\n')) {
            if (ch == '\r')
                source_.get();
            ++line_;
            break;
        }
        if (ch == ',') {
            rec.fields.emplace_back();
            rec.blank = false;
            st = state::field_start;
            continue;
        }
        switch (st) {
        case state::field_start:
            if (ch == '"') {
                st = state::quoted;
                quote_line = line_;
                rec.blank = false;
            } else {
                st = state::unquoted;
                append(ch);
            }
            break;
        case state::unquoted:
            if (ch == '"')
                fail("field " + field_number() +
                     " has a double quote but is not quoted (RFC 4180: quote the field and double the quote)");
            append(ch);
            break;
        case state::after_quote:
            fail("field " + field_number() + " has text after its closing quote");
            st = state::unquoted;
            append(ch);
            break;
        case state::quoted:
            break; // handled above
        }
    }
    if (too_long && rec.error.empty())
        rec.error = "the row is longer than " + std::to_string(max_record_bytes / (1024 * 1024)) +
                    " MiB (a quote that is never closed?)";
    return rec;
}

std::optional<row> csv_reader::next()
{
    if (!fatal_error_.empty())
        return std::nullopt;
    while (auto rec = read_record()) {
        if (rec->blank && rec->fields.size() == 1)
            continue;
        row r;
        r.line = rec->line;
        if (!rec->error.empty()) {
            r.error = std::move(rec->error);
        } else if (rec->fields.size() != columns_) {
            r.error = "expected " + std::to_string(columns_) + " fields (" + expected_header + "), found " +
                      std::to_string(rec->fields.size());
        } else {
            r.user_id = std::move(rec->fields[user_column_]);
            r.key = std::move(rec->fields[key_column_]);
            r.value = std::move(rec->fields[value_column_]);
        }
        return r;
    }
    if (source_.failed())
        fatal_error_ = "read error after line " + std::to_string(line_ - 1);
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// JSONL

jsonl_reader::jsonl_reader(std::istream& in) : source_(in) {}

std::optional<row> jsonl_reader::next()
{
    if (!fatal_error_.empty())
        return std::nullopt;
    for (;;) {
        std::string text;
        bool any_byte = false;
        bool too_long = false;
        for (int c = source_.get(); c >= 0; c = source_.get()) {
            any_byte = true;
            if (c == '\n')
                break;
            if (text.size() < max_record_bytes)
                text += static_cast<char>(c);
            else
                too_long = true;
        }
        if (!any_byte) {
            if (source_.failed())
                fatal_error_ = "read error after line " + std::to_string(line_);
            return std::nullopt;
        }
        ++line_;
        if (line_ == 1 && text.starts_with("\xEF\xBB\xBF"))
            text.erase(0, 3);
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
        if (text.find_first_not_of(" \t\r") == std::string::npos && !too_long)
            continue; // blank line

        row r;
        r.line = line_;
        if (too_long) {
            r.error = "the line is longer than " + std::to_string(max_record_bytes / (1024 * 1024)) + " MiB";
            return r;
        }
        nlohmann::json object;
        try {
            object = nlohmann::json::parse(text);
        } catch (const nlohmann::json::parse_error& e) {
            r.error = describe_parse_error(e);
            return r;
        }
        if (!object.is_object()) {
            r.error = R"(expected a JSON object {"user_id":…,"key":…,"value":…}, found )" + type_phrase(object);
            return r;
        }
        auto user = member_text(object, "user_id", true, false, r.error);
        if (!user)
            return r;
        auto key = member_text(object, "key", false, false, r.error);
        if (!key)
            return r;
        auto value = member_text(object, "value", true, true, r.error);
        if (!value)
            return r;
        r.user_id = std::move(*user);
        r.key = std::move(*key);
        r.value = std::move(*value);
        return r;
    }
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<row_reader> make_reader(input_format format, std::istream& in)
{
    if (format == input_format::csv)
        return std::make_unique<csv_reader>(in);
    return std::make_unique<jsonl_reader>(in);
}

std::optional<std::uint64_t> count_rows(row_reader& reader)
{
    std::uint64_t rows = 0;
    while (reader.next())
        ++rows;
    if (!reader.fatal_error().empty())
        return std::nullopt;
    return rows;
}

} // namespace vwo::cli
