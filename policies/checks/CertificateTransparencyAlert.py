"""Certificate-transparency alerts are on and reach someone."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, is_true, strings

METADATA = Metadata(
    severity="MEDIUM",
    risk="A certificate mis-issued for our domain goes unnoticed.",
    remediation=(
        "Declare cloudflare_ct_alerting for the zone with enabled true and at least one "
        "address in emails, or a cloudflare_notification_policy with alert_type ct_alert, "
        "enabled, and at least one email, pagerduty or webhooks mechanism."
    ),
)


class CertificateTransparencyAlert(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_6",
            name="Ensure certificate transparency alerts are enabled and delivered",
            category=CheckCategories.LOGGING,
            resources=["cloudflare_ct_alerting", "cloudflare_notification_policy"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if self.entity_type == "cloudflare_ct_alerting":
            return _zone_alerting_problems(conf)
        if attr(conf, "alert_type") != "ct_alert":
            return None
        found = [] if is_true(attr(conf, "enabled")) else ["the ct_alert policy is not enabled"]
        mechanisms = attr(conf, "mechanisms")
        if not isinstance(mechanisms, dict) or not any(
            _declared(v) for k, v in mechanisms.items() if not k.startswith("__")
        ):
            found.append("the ct_alert policy has no delivery mechanism")
        return found


def _zone_alerting_problems(conf: dict[str, list[Any]]) -> list[str]:
    found = [] if is_true(attr(conf, "enabled")) else ["CT alerting is not enabled"]
    if not strings(attr(conf, "emails")):
        found.append("CT alerting names no email address")
    return found


def _declared(targets: Any) -> bool:
    """A mechanism counts when it names at least one target (a list of {id: ...})."""
    return any(isinstance(t, dict) and attr(t, "id") for t in _flatten(targets))


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for v in value for leaf in _flatten(v)]
    return [value]


check = CertificateTransparencyAlert()
