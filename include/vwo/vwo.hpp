#pragma once

// The umbrella header: everything a user of vwo-cpp-sdk needs.

#include <vwo/api_result.hpp>
#include <vwo/client.hpp>
#include <vwo/client_options.hpp>
#include <vwo/error.hpp>
#include <vwo/log.hpp>
#include <vwo/push_result.hpp>
#include <vwo/push_rules.hpp>
#include <vwo/resolver.hpp>
#include <vwo/stats.hpp>
#include <vwo/version.hpp>
