#pragma once

// What the promise face of an API hands its one algorithm as the completion handler
// (docs/async-model.md#implementation-shape-three-faces-one-algorithm).

#include <future>
#include <utility>

namespace vwo::engine {

/// A std::promise that can never be broken: if its handler is destroyed without being called
/// (the io_context torn down with work pending), the future still gets `fallback` (false for
/// push, track and flush; the decision itself for the decision APIs).
///
/// Thread-safety: a value type; one thread at a time (it lives inside one handler).
template <class T>
class never_broken_promise {
public:
    explicit never_broken_promise(T fallback) : fallback_(std::move(fallback)) {}
    never_broken_promise(never_broken_promise&& other) noexcept
        : promise_(std::move(other.promise_)), fallback_(std::move(other.fallback_)), armed_(other.armed_)
    {
        other.armed_ = false;
    }
    never_broken_promise& operator=(never_broken_promise&&) = delete;
    ~never_broken_promise()
    {
        if (armed_)
            promise_.set_value(std::move(fallback_));
    }
    std::future<T> get_future() { return promise_.get_future(); }
    void set(T value)
    {
        if (std::exchange(armed_, false))
            promise_.set_value(std::move(value));
    }

private:
    std::promise<T> promise_;
    T fallback_;
    bool armed_ = true;
};

} // namespace vwo::engine
