#include "core/decision/feature.hpp"

namespace vwo::core::decision {

bool is_feature_enabled(const campaign& c, const decision_result& decision) noexcept
{
    if (decision.chosen == nullptr) return false;
    return c.type == campaign_type::feature_rollout || decision.chosen->is_feature_enabled;
}

variable_lookup feature_variable_value(const campaign& c, const decision_result& decision,
                                       std::string_view key) noexcept
{
    variable_lookup out;
    if (decision.chosen == nullptr) return out; // feature_disabled

    const feature_variable* variable = nullptr;
    bool from_control = false;
    if (c.type == campaign_type::feature_rollout) {
        variable = c.find_variable(key);
    } else if (c.type == campaign_type::feature_test) {
        const variation* v = decision.chosen;
        if (v->variables_kind == variables_form::absent) { // `!variation.variables`
            out.status = variable_status::not_found;
            return out;
        }
        if (!v->is_feature_enabled) {
            // getControlForCampaign: strict `id === 1`; without it (or without its variables) Node
            // reads `.length` of undefined and the API returns null. We fix what Node only gets wrong
            // by throwing: string ids ("1") still name the control (docs/decisions.md#feature-variables).
            v = c.control();
            if (v == nullptr) {
                v = c.control_by_string_id();
                out.control_by_string_id = v != nullptr;
            }
            if (v == nullptr || v->variables_kind == variables_form::absent) {
                out.status = variable_status::control_without_variables;
                return out;
            }
            from_control = true;
        }
        variable = v->find_variable(key);
    }
    // Other types (VISUAL_AB is refused by the gate): no variable.
    if (variable == nullptr) {
        out.status = variable_status::not_found;
        return out;
    }
    out.variable = variable;
    if (!variable->cast_error.empty()) {
        out.status = variable_status::cast_failed;
        return out;
    }
    out.value = variable->value;
    out.status = from_control ? variable_status::found_in_control : variable_status::found;
    return out;
}

} // namespace vwo::core::decision
