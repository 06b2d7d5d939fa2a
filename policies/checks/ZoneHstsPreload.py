"""A subdomain-wide, preloadable Strict-Transport-Security header for the promised max-age (the
catalog's HSTS figure: 2 years)."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, figure, is_true, number, shown

MAX_AGE = figure("HSTS", "max_age_seconds")

METADATA = Metadata(
    severity="HIGH",
    risk="Browsers can be stripped to HTTP on a first visit or once a short policy expires.",
    remediation=(
        "Declare cloudflare_zone_setting security_header with strict_transport_security "
        f"enabled, max_age >= {MAX_AGE}, include_subdomains and preload."
    ),
)


class ZoneHstsPreload(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_5",
            name=f"Ensure the Cloudflare zone sends HSTS with max-age >= {MAX_AGE} s, "
            "includeSubDomains and preload",
            category=CheckCategories.ENCRYPTION,
            resources=["cloudflare_zone_setting"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if attr(conf, "setting_id") != "security_header":
            return None
        hsts = attr(conf, "value", "strict_transport_security")
        if not isinstance(hsts, dict):
            return ["security_header declares no strict_transport_security"]
        found = [
            f"strict_transport_security.{flag} is not true"
            for flag in ("enabled", "include_subdomains", "preload")
            if not is_true(hsts.get(flag))
        ]
        max_age = number(hsts.get("max_age"))
        if max_age is None or max_age < MAX_AGE:
            found.append(f"strict_transport_security.max_age is {shown(max_age)}, below {MAX_AGE}")
        return found


check = ZoneHstsPreload()
