#pragma once

// launch()'s check of client_options (docs/configuration.md): every bound in one place.

#include <vwo/client_options.hpp>

#include <optional>
#include <string>

namespace vwo::engine {

/// What is wrong with `options`, naming the field and the value; nullopt when they can be used.
std::optional<std::string> check_options(const client_options& options);

} // namespace vwo::engine
