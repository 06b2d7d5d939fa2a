"""Plain-HTTP requests are redirected to HTTPS."""

from trust_check_support import Metadata, ZoneSettingCheck

METADATA = Metadata(
    severity="HIGH",
    risk="Pages served over plain HTTP can be read and altered in transit.",
    remediation="Declare cloudflare_zone_setting always_use_https with value on.",
)

check = ZoneSettingCheck(
    check_id="CKV_TRUST_3", setting_id="always_use_https", allowed=("on",), metadata=METADATA
)
