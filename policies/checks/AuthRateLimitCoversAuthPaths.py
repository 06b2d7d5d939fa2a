"""AUTH-RATE-LIMIT: the rate-limit phase has an enabled rule aimed at the auth endpoints."""

import re
from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, rule_enabled, rules_of_phase

AUTH_PATH = re.compile(r"/(auth|login|log-in|signin|sign-in|session|token|oauth|password)", re.I)

METADATA = Metadata(
    control="AUTH-RATE-LIMIT",
    severity="HIGH",
    risk="Login and token endpoints are left without a brute-force limit.",
    remediation=(
        "Add an enabled http_ratelimit rule whose expression matches the auth paths, e.g. "
        '(starts_with(http.request.uri.path, "/auth/") or http.request.uri.path eq "/login").'
    ),
)


class AuthRateLimitCoversAuthPaths(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_28",
            name="Ensure an enabled rate-limit rule covers the authentication endpoints",
            category=CheckCategories.APPLICATION_SECURITY,
            resources=["cloudflare_ruleset"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        rules = rules_of_phase(conf, "http_ratelimit")
        if rules is None:
            return None
        if any(rule_enabled(r) and AUTH_PATH.search(str(attr(r, "expression"))) for r in rules):
            return []
        return ["no enabled rule's expression matches an auth path (/auth, /login, /token, ...)"]


check = AuthRateLimitCoversAuthPaths()
