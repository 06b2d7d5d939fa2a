"""TLS 1.3 is offered, so modern browsers negotiate it."""

from trust_check_support import Metadata, ZoneSettingCheck

METADATA = Metadata(
    severity="HIGH",
    risk="Browsers fall back to TLS 1.2 when the edge does not offer TLS 1.3.",
    remediation="Declare cloudflare_zone_setting tls_1_3 with value on (or zrt).",
)

check = ZoneSettingCheck(
    check_id="CKV_TRUST_2", setting_id="tls_1_3", allowed=("on", "zrt"), metadata=METADATA
)
