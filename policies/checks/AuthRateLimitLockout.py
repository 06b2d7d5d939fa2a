"""Every rate-limit rule is on and locks a client out after at most the promised attempts (the
catalog's AUTH-RATE-LIMIT figure)."""

from typing import Any

from trust_check_support import (
    Metadata,
    RulesetPhaseCheck,
    attr,
    figure,
    number,
    rule_enabled,
    shown,
)

MAX_ATTEMPTS = figure("AUTH-RATE-LIMIT", "lockout_after_attempts")

METADATA = Metadata(
    severity="HIGH",
    risk="Credential stuffing and brute force against login go unchecked.",
    remediation=(
        "Make every rule of the http_ratelimit cloudflare_ruleset enabled, action block, "
        f"ratelimit.requests_per_period <= {MAX_ATTEMPTS} (count failed logins with "
        "counting_expression) and ratelimit.mitigation_timeout > 0."
    ),
)


class AuthRateLimitLockout(RulesetPhaseCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_27",
            name="Ensure rate-limit rules are enabled and block after at most "
            f"{MAX_ATTEMPTS} attempts",
            phase="http_ratelimit",
            metadata=METADATA,
        )

    def rule_problems(self, rules: list[dict[str, Any]]) -> list[str]:
        if not rules:
            return ["the http_ratelimit ruleset has no rules"]
        return [
            f"rule {attr(rule, 'ref') or attr(rule, 'description') or index}: {problem}"
            for index, rule in enumerate(rules)
            for problem in _rule_problems(rule)
        ]


def _rule_problems(rule: dict[str, Any]) -> list[str]:
    found = [] if rule_enabled(rule) else ["is disabled"]
    if attr(rule, "action") != "block":
        found.append(f"action is {attr(rule, 'action')}, not block")
    limit = attr(rule, "ratelimit")
    limit = limit if isinstance(limit, dict) else {}
    requests = number(attr(limit, "requests_per_period"))
    if requests is None or requests > MAX_ATTEMPTS:
        found.append(f"requests_per_period is {shown(requests)}, above {MAX_ATTEMPTS}")
    timeout = number(attr(limit, "mitigation_timeout"))
    if timeout is None or timeout <= 0:
        found.append("mitigation_timeout is not positive: no lockout")
    return found


check = AuthRateLimitLockout()
