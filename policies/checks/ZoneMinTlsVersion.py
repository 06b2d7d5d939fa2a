"""The zone refuses TLS below 1.2."""

from trust_check_support import Metadata, ZoneSettingCheck

METADATA = Metadata(
    severity="HIGH",
    risk="Clients can negotiate TLS 1.0/1.1, which have known downgrade and cipher weaknesses.",
    remediation="Declare cloudflare_zone_setting min_tls_version with value 1.2 (or 1.3).",
)

check = ZoneSettingCheck(
    check_id="CKV_TRUST_1", setting_id="min_tls_version", allowed=("1.2", "1.3"), metadata=METADATA
)
