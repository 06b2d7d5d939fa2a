"""CT-MONITOR: certificate transparency alerts are on and reach someone."""

from trustctl.audit.cloudflare_reader import CloudflareReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_CF_3", area="cloudflare",
    name="Certificate transparency alerting is enabled with a recipient",
    risk="A certificate mis-issued for our domain goes unnoticed.",
    remediation="Enable the zone's CT alerting (PATCH /zones/{zone}/ct/alerting) with the "
                "security team's address.",
)
def check(cf: CloudflareReader, out: Outcome) -> None:
    alerting = cf.ct_alerting() or {}
    out.facts["ct_alerting"] = alerting
    zone = f"zone {cf.zone_id}"
    if not alerting.get("enabled"):
        out.fail(zone, "CT alerting is not enabled")
    if not alerting.get("emails"):
        out.fail(zone, "CT alerting names no email address")
