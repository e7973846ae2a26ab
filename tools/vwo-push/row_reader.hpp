#pragma once

// Reads the rows of a backfill file: CSV (RFC 4180, header user_id,key,value) or JSONL (one
// {"user_id":…,"key":…,"value":…} object per line). Streaming, so files of any size use constant
// memory. A malformed row never stops the reader: it comes back with its line number and a reason,
// and reading goes on with the next row. Only a problem that makes every row meaningless (an unusable
// CSV header, a read error) is fatal.

#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vwo::cli {

/// One row of input. `line` is the 1-based physical line the row starts on (a quoted CSV field may
/// span lines; the row is named by its first). `error` empty: the three fields are set.
/// Plain value type.
struct row {
    std::uint64_t line = 0;
    std::string user_id;
    std::string key;
    std::string value;
    std::string error; ///< why the row is unusable; empty when it is fine

    bool ok() const noexcept { return error.empty(); }
};

/// Longest record kept in memory. A longer one (typically a quote that is never closed) is read to
/// its end but not stored, and reported as invalid: no valid row comes near it, as each field is at
/// most 255 code points.
inline constexpr std::size_t max_record_bytes = 1024 * 1024;

/// Buffered bytes of an std::istream with one byte of look-ahead: the readers' only input primitive.
/// Thread-safety: none; one reader at a time.
class byte_source {
public:
    explicit byte_source(std::istream& in) : in_(in) {}
    /// The next byte (0..255), or -1 at the end of the input or after a read error.
    int get()
    {
        if (pos_ == end_ && !fill())
            return -1;
        return static_cast<unsigned char>(buffer_[pos_++]);
    }
    int peek()
    {
        if (pos_ == end_ && !fill())
            return -1;
        return static_cast<unsigned char>(buffer_[pos_]);
    }
    /// True when reading stopped because of an I/O error rather than the end of the input.
    bool failed() const { return in_.bad(); }

private:
    bool fill();

    std::istream& in_;
    std::array<char, 64 * 1024> buffer_{};
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
};

/// Common interface of the two formats, so the pusher does not care which file it reads.
/// Thread-safety: none; one thread drives a reader.
class row_reader {
public:
    virtual ~row_reader() = default;
    /// The next row (valid or not), or nullopt when the input is exhausted or fatal_error() is set.
    virtual std::optional<row> next() = 0;
    /// Non-empty when the input cannot be read at all (bad CSV header, I/O error).
    const std::string& fatal_error() const noexcept { return fatal_error_; }

protected:
    std::string fatal_error_;
};

/// CSV per RFC 4180: fields separated by ',', records by LF or CRLF; a field in double quotes may hold
/// commas, line breaks and doubled quotes (""). Also accepted: a UTF-8 byte-order mark, blank or
/// whitespace-only lines (skipped), no final line break. Fields are taken verbatim (no trimming).
/// The first record is the header: the columns user_id, key and value, each once, in any order.
/// Thread-safety: none.
class csv_reader final : public row_reader {
public:
    /// Reads the header at once; fatal_error() tells whether it was usable.
    explicit csv_reader(std::istream& in);
    std::optional<row> next() override;

private:
    struct record {
        std::uint64_t line = 0;
        std::vector<std::string> fields;
        std::string error;
        bool blank = true; ///< only spaces and tabs, nothing quoted
    };
    /// One record (which may be blank), or nullopt at the end of the input.
    std::optional<record> read_record();

    byte_source source_;
    std::uint64_t line_ = 1; ///< physical line of the next byte
    std::size_t columns_ = 0;
    std::size_t user_column_ = 0;
    std::size_t key_column_ = 0;
    std::size_t value_column_ = 0;
};

/// JSON Lines: each non-blank line is one JSON object with the members "user_id", "key" and "value".
/// "key" must be a string; "user_id" a string or a number; "value" a string, number or boolean
/// (numbers and booleans are sent as their JSON text, e.g. 20 -> "20"). Other members are ignored.
/// A UTF-8 byte-order mark and CRLF line ends are accepted. Thread-safety: none.
class jsonl_reader final : public row_reader {
public:
    explicit jsonl_reader(std::istream& in);
    std::optional<row> next() override;

private:
    byte_source source_;
    std::uint64_t line_ = 0; ///< physical line last read
};

/// The single row of a push given on the command line (--user, --key, --value), as line 1, so a
/// single push goes through exactly the same path as a file. Thread-safety: none.
class one_row_reader final : public row_reader {
public:
    explicit one_row_reader(row r) : row_(std::move(r)) {}
    std::optional<row> next() override { return std::exchange(row_, std::nullopt); }

private:
    std::optional<row> row_;
};

enum class input_format { csv, jsonl };

/// A reader of `format` over `in` (which must outlive it).
std::unique_ptr<row_reader> make_reader(input_format format, std::istream& in);

/// Rows (valid or not) the reader yields before the end, for the progress total. Reads the input to
/// its end; nullopt when it stopped at a fatal error.
std::optional<std::uint64_t> count_rows(row_reader& reader);

} // namespace vwo::cli
