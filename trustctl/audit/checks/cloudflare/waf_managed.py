"""WAF: the Cloudflare Managed and OWASP Core rulesets are deployed, enabled and enforcing."""

from typing import Any

from trustctl.audit.cloudflare_reader import CloudflareReader
from trustctl.audit.live_check import Outcome, live_check

PHASE = "http_request_firewall_managed"
MANAGED_RULESETS = {
    "efb7b8c949ac4650a09736fc376e9aee": "Cloudflare Managed Ruleset",
    "4814384a9e5d4991b9815dcfc25d2f1f": "Cloudflare OWASP Core Ruleset",
}


@live_check(
    id="AUD_CF_4", area="cloudflare",
    name="Managed WAF rulesets (Cloudflare Managed, OWASP Core) are deployed and enforcing",
    risk="Common web attacks (SQLi, XSS, known CVEs) reach the application unfiltered.",
    remediation="In the zone's http_request_firewall_managed entrypoint, execute both managed "
                "rulesets in enabled rules without overrides that disable them or only log.",
)
def check(cf: CloudflareReader, out: Outcome) -> None:
    rules = cf.phase_rules(PHASE)
    if rules is None:
        out.fail(f"zone {cf.zone_id}", f"no {PHASE} ruleset is deployed")
        return
    enforced = {r.get("action_parameters", {}).get("id") for r in rules if _enforces(r)}
    out.facts["executed_enforcing"] = sorted(filter(None, enforced))
    for ruleset_id, name in MANAGED_RULESETS.items():
        if ruleset_id not in enforced:
            out.fail(f"zone {cf.zone_id}", f"{name} ({ruleset_id}) is not executed by an "
                                           "enabled, enforcing rule")


def _enforces(rule: dict[str, Any]) -> bool:
    if rule.get("action") != "execute" or rule.get("enabled") is False:
        return False
    overrides = rule.get("action_parameters", {}).get("overrides") or {}
    return overrides.get("enabled") is not False and overrides.get("action") != "log"
