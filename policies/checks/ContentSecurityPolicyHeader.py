"""Every response carries a Content-Security-Policy that restricts scripts."""

from typing import Any

from trust_check_support import Metadata, RulesetPhaseCheck, attr, rule_enabled

HEADER = "content-security-policy"

METADATA = Metadata(
    severity="MEDIUM",
    risk="Injected or tampered third-party scripts run in customers' browsers.",
    remediation=(
        "In the cloudflare_ruleset of phase http_response_headers_transform, add an enabled "
        "rewrite rule whose action_parameters.headers sets Content-Security-Policy "
        "(operation set) to a policy with a script-src directive."
    ),
)


class ContentSecurityPolicyHeader(RulesetPhaseCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_29",
            name="Ensure responses set a Content-Security-Policy header with script-src",
            phase="http_response_headers_transform",
            metadata=METADATA,
        )

    def rule_problems(self, rules: list[dict[str, Any]]) -> list[str]:
        if any(_sets_csp_with_script_src(rule) for rule in rules):
            return []
        return ["no enabled rule sets Content-Security-Policy with a script-src directive"]


def _sets_csp_with_script_src(rule: dict[str, Any]) -> bool:
    if attr(rule, "action") != "rewrite" or not rule_enabled(rule):
        return False
    headers = attr(rule, "action_parameters", "headers")
    if not isinstance(headers, dict):
        return False
    return any(
        name.lower() == HEADER
        and attr(header, "operation") in ("set", "add")
        and "script-src" in str(attr(header, "value"))
        for name, header in headers.items()
    )


check = ContentSecurityPolicyHeader()
