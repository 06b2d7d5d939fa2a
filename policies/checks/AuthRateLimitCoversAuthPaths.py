"""The rate-limit phase has an enabled rule aimed at the auth endpoints."""

import re
from typing import Any

from trust_check_support import Metadata, RulesetPhaseCheck, attr, rule_enabled

AUTH_PATH = re.compile(r"/(auth|login|log-in|signin|sign-in|session|token|oauth|password)", re.I)

METADATA = Metadata(
    severity="HIGH",
    risk="Login and token endpoints are left without a brute-force limit.",
    remediation=(
        "Add an enabled http_ratelimit rule whose expression matches the auth paths, e.g. "
        '(starts_with(http.request.uri.path, "/auth/") or http.request.uri.path eq "/login").'
    ),
)


class AuthRateLimitCoversAuthPaths(RulesetPhaseCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_28",
            name="Ensure an enabled rate-limit rule covers the authentication endpoints",
            phase="http_ratelimit",
            metadata=METADATA,
        )

    def rule_problems(self, rules: list[dict[str, Any]]) -> list[str]:
        if any(rule_enabled(r) and AUTH_PATH.search(str(attr(r, "expression"))) for r in rules):
            return []
        return ["no enabled rule's expression matches an auth path (/auth, /login, /token, ...)"]


check = AuthRateLimitCoversAuthPaths()
