#pragma once

#include <future>
#include <utility>
#include <variant>

namespace vwo {

/// The result of a synchronous API call: either a value that is ready now (immediate
/// mode) or a std::future (promise mode, chosen at launch by `return_promise_for`).
///
/// Move-only, and deliberately not convertible to bool: an implicit conversion would
/// silently block on a future. Thread-safety: one object, one thread at a time (like std::future).
template <class T>
class [[nodiscard]] api_result {
public:
    explicit api_result(T ready_value) : state_(std::in_place_index<0>, std::move(ready_value)) {}
    explicit api_result(std::future<T> pending) : state_(std::in_place_index<1>, std::move(pending)) {}

    api_result(api_result&&) noexcept = default;
    api_result& operator=(api_result&&) noexcept = default;
    api_result(const api_result&) = delete;
    api_result& operator=(const api_result&) = delete;

    /// True when this API is in promise mode.
    bool is_future() const noexcept { return state_.index() == 1; }

    /// The value: at once in immediate mode; in promise mode waits for the future
    /// (which always becomes ready: the SDK completes every operation, also at shutdown).
    /// Call once in promise mode (it consumes the future).
    T get()
    {
        if (state_.index() == 0)
            return std::get<0>(state_);
        return std::get<1>(state_).get();
    }

    /// The result as a future: the pending one, or a ready one in immediate mode.
    std::future<T> to_future() &&
    {
        if (state_.index() == 1)
            return std::move(std::get<1>(state_));
        std::promise<T> ready;
        ready.set_value(std::move(std::get<0>(state_)));
        return ready.get_future();
    }

private:
    std::variant<T, std::future<T>> state_;
};

} // namespace vwo
