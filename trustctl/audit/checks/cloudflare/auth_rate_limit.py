"""AUTH-RATE-LIMIT: every auth path is rate-limited, blocking after the page's number of attempts
(or the stack config's, when lower), for a while."""

from typing import Any

from trustctl.audit.cloudflare_reader import CloudflareReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.catalog import page_figures

PHASE = "http_ratelimit"
_ATTEMPTS = page_figures().lockout_after_attempts  # in the words below; the check reads it anew


@live_check(
    id="AUD_CF_5", area="cloudflare",
    name=f"Every auth path has an enabled rate-limit rule that blocks after {_ATTEMPTS} attempts",
    risk="Credential stuffing and brute force against login go unchecked.",
    remediation="Add enabled http_ratelimit rules whose expressions cover every auth path of "
                f"the stack config (authPaths), action block, requests_per_period <= {_ATTEMPTS}, "
                "mitigation_timeout > 0.",
)
def check(cf: CloudflareReader, out: Outcome) -> None:
    promised = page_figures().lockout_after_attempts
    limit = min(cf.expected.failed_attempt_threshold or promised, promised)
    every = cf.phase_rules(PHASE) or []
    rules = [r for r in every if r.get("enabled") is not False]
    lockouts = [r for r in rules if _locks_out(r, limit)]
    out.facts.update(rules=len(every), enabled_rules=len(rules), lockout_rules=len(lockouts),
                     auth_paths=list(cf.expected.auth_paths))
    if not cf.expected.auth_paths:
        out.fail(None, "the stack config names no auth paths (authPaths) to check")
    for path in cf.expected.auth_paths:
        prefix = path.rstrip("*")
        if not any(f'"{prefix}' in r.get("expression", "") for r in lockouts):
            out.fail(path, f"no enabled rule blocks it after at most {limit} requests with a "
                           "lockout (mitigation_timeout)")


def _locks_out(rule: dict[str, Any], limit: int) -> bool:
    ratelimit = rule.get("ratelimit") or {}
    return (rule.get("action") == "block"
            and 0 < (ratelimit.get("requests_per_period") or 0) <= limit
            and (ratelimit.get("mitigation_timeout") or 0) > 0)
