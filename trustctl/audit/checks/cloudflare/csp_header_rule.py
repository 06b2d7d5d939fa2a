"""CSP-SRI: a response-header rule sets a Content-Security-Policy that restricts scripts."""

from typing import Any

from trustctl.audit.cloudflare_reader import CloudflareReader
from trustctl.audit.live_check import Outcome, live_check

PHASE = "http_response_headers_transform"


@live_check(
    id="AUD_CF_6", area="cloudflare",
    name="A response-header rule sets Content-Security-Policy with script-src",
    risk="Injected or tampered third-party scripts run in customers' browsers.",
    remediation="In the zone's http_response_headers_transform entrypoint, add an enabled "
                "rewrite rule that sets Content-Security-Policy with a script-src directive "
                "and no 'unsafe-inline'.",
)
def check(cf: CloudflareReader, out: Outcome) -> None:
    policies = [p for r in cf.phase_rules(PHASE) or [] for p in _csp_values(r)]
    out.facts["content_security_policies"] = policies
    good = [p for p in policies if "script-src" in p and "'unsafe-inline'" not in p]
    if not good:
        out.fail(f"zone {cf.zone_id}", "no enabled rule sets Content-Security-Policy with "
                                       "script-src and without 'unsafe-inline'")


def _csp_values(rule: dict[str, Any]) -> list[str]:
    if rule.get("action") != "rewrite" or rule.get("enabled") is False:
        return []
    headers = rule.get("action_parameters", {}).get("headers") or {}
    return [h.get("value", "") for name, h in headers.items()
            if name.lower() == "content-security-policy" and h.get("operation") in ("set", "add")]
