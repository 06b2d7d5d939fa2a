"""The edge verifies the origin's certificate (SSL mode strict)."""

from trust_check_support import Metadata, ZoneSettingCheck

METADATA = Metadata(
    severity="HIGH",
    risk="In flexible or full mode the edge-to-origin leg is plain or unauthenticated.",
    remediation="Declare cloudflare_zone_setting ssl with value strict.",
)

check = ZoneSettingCheck(
    check_id="CKV_TRUST_4", setting_id="ssl", allowed=("strict",), metadata=METADATA
)
