"""The zone's managed-firewall phase deploys the Cloudflare Managed and OWASP rulesets."""

from typing import Any

from trust_check_support import Metadata, RulesetPhaseCheck, attr, is_true, rule_enabled

METADATA = Metadata(
    severity="HIGH",
    risk="Common web attacks (SQLi, XSS, known CVEs) reach the application unfiltered.",
    remediation=(
        "In the cloudflare_ruleset of phase http_request_firewall_managed, add enabled rules "
        "with action execute and action_parameters.id set to the Cloudflare Managed Ruleset "
        "(efb7b8c949ac4650a09736fc376e9aee) and the OWASP Core Ruleset "
        "(4814384a9e5d4991b9815dcfc25d2f1f), without overrides that disable them or only log."
    ),
)

MANAGED_RULESETS = {
    "efb7b8c949ac4650a09736fc376e9aee": "Cloudflare Managed Ruleset",
    "4814384a9e5d4991b9815dcfc25d2f1f": "Cloudflare OWASP Core Ruleset",
}
PHASE = "http_request_firewall_managed"


class WafManagedRulesets(RulesetPhaseCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_26",
            name="Ensure the Cloudflare Managed and OWASP Core rulesets are deployed and enforcing",
            phase=PHASE,
            metadata=METADATA,
        )

    def rule_problems(self, rules: list[dict[str, Any]]) -> list[str]:
        enforced = {attr(rule, "action_parameters", "id") for rule in rules if _enforces(rule)}
        return [
            f"{name} ({ruleset_id}) is not executed by an enabled rule"
            for ruleset_id, name in MANAGED_RULESETS.items()
            if ruleset_id not in enforced
        ]


def _enforces(rule: dict[str, Any]) -> bool:
    """An execute rule counts unless its overrides switch the whole ruleset off or to log."""
    if attr(rule, "action") != "execute" or not rule_enabled(rule):
        return False
    overrides = attr(rule, "action_parameters", "overrides")
    if not isinstance(overrides, dict):
        return True
    disabled = overrides.get("enabled") is not None and not is_true(overrides.get("enabled"))
    return not disabled and attr(overrides, "action") != "log"


check = WafManagedRulesets()
