#pragma once

// launch()'s check of client_options (docs/configuration.md): every bound in one place.

#include "core/outcome.hpp"

#include <vwo/client_options.hpp>

namespace vwo::engine {

/// Whether `options` can be used; a failure (errc::invalid_options) names the field and the value.
core::outcome<void> check_options(const client_options& options);

} // namespace vwo::engine
