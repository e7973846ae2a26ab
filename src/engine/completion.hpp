#pragma once

// How the engine calls a user's completion handler: contained, so that what the handler throws is
// caught and logged instead of ending the thread that runs it or unwinding into the SDK
// (docs/async-model.md#a-completion-handler-that-throws).

#include "engine/logger.hpp"

#include <exception>
#include <memory>
#include <string>
#include <utility>

namespace vwo::engine {

/// `fn` wrapped so that an exception is caught and logged on `log` (if the client still exists).
template <class Fn>
auto contain(std::weak_ptr<const logger> log, Fn&& fn)
{
    return [log = std::move(log), fn = std::forward<Fn>(fn)]() mutable {
        try {
            fn();
        } catch (const std::exception& e) {
            if (auto l = log.lock())
                l->error(std::string("a completion handler threw (caught; the SDK goes on): ") + e.what());
        } catch (...) {
            if (auto l = log.lock())
                l->error("a completion handler threw a non-exception (caught; the SDK goes on)");
        }
    };
}

} // namespace vwo::engine
