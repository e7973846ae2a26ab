#pragma once

// The JSON body of a batch-events request (docs/protocol.md#post-server-sidebatch-events),
// {"ev":[<event>,<event>,...]}, built one event at a time straight into the text that goes on the wire:
// no string per event, no copy when the request is sent. It remembers where each event starts so that a
// batch the collector refuses as too large (413) can be split into halves without rebuilding anything.

#include "core/request_builder.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace vwo::core {

/// Thread-safety: a value type; use from one thread at a time.
class batch_body {
public:
    /// Appends the batch event for one dimension (as build_batch_event renders it).
    void append(const request_context& ctx, const dimension& dim, std::string_view user_id, system_time now);
    /// Appends an event rendered before (taken from another body with event()).
    void append_rendered(std::string_view event);
    /// Appends the event that `render(std::string& text)` appends to the body's text (impressions and
    /// goals render straight into the body, as dimensions do).
    template <class Render>
    void append_event(Render&& render)
    {
        begin_event();
        std::forward<Render>(render)(text_);
    }

    std::size_t size() const noexcept { return starts_.size(); }
    bool empty() const noexcept { return starts_.empty(); }
    /// The i-th event's JSON text.
    std::string_view event(std::size_t i) const noexcept;
    /// Bytes of text so far.
    std::size_t bytes() const noexcept { return text_.size(); }

    /// The complete body, and in `starts` where each of its events begins (for event_in);
    /// leaves this empty and ready for the next batch.
    std::string take(std::vector<std::uint32_t>& starts);
    /// A body of events [from, to) of this one.
    batch_body slice(std::size_t from, std::size_t to) const;

    /// The i-th event of a body returned by take(), given the starts take() reported.
    static std::string_view event_in(std::string_view taken_body, const std::vector<std::uint32_t>& starts,
                                     std::size_t i) noexcept;

private:
    void begin_event();

    std::string text_;                  ///< "{\"ev\":[" e1 "," e2 ...   (no closing "]}" yet)
    std::vector<std::uint32_t> starts_; ///< offset of each event in text_
};

} // namespace vwo::core
