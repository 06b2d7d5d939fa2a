"""HSTS: the zone sends Strict-Transport-Security for 2 years, subdomains, preload."""

from trustctl.audit.cloudflare_reader import CloudflareReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.catalog import page_figures


@live_check(
    id="AUD_CF_2", area="cloudflare",
    name="Zone: HSTS enabled, max-age >= 2 years, includeSubDomains, preload",
    risk="Browsers can be stripped to HTTP on a first visit or once a short policy expires.",
    remediation="Set the zone's security_header strict_transport_security: enabled, max_age "
                f"{page_figures().hsts_max_age_seconds}, include_subdomains and preload.",
)
def check(cf: CloudflareReader, out: Outcome) -> None:
    header = cf.settings().get("security_header") or {}
    hsts = header.get("strict_transport_security") or {}
    out.facts["strict_transport_security"] = hsts
    zone = f"zone {cf.zone_id}"
    for flag in ("enabled", "include_subdomains", "preload"):
        if hsts.get(flag) is not True:
            out.fail(zone, f"strict_transport_security.{flag} is not true")
    promised = page_figures().hsts_max_age_seconds
    if (hsts.get("max_age") or 0) < promised:
        out.fail(zone, f"strict_transport_security.max_age is {hsts.get('max_age')}, below "
                       f"{promised}")
