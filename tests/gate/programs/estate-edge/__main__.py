"""The edge half of a two-stack estate: TLS and HSTS on a Cloudflare zone, nothing of AWS.
Config `minTls` (default 1.2) lets a stack declare a weak zone."""

import pulumi
import pulumi_cloudflare as cloudflare

ZONE_ID = "0123456789abcdef0123456789abcdef"
SETTINGS = {
    "min_tls_version": pulumi.Config().get("minTls") or "1.2",
    "tls_1_3": "on",
    "ssl": "strict",
    "always_use_https": "on",
    "security_header": {"strict_transport_security": {
        "enabled": True, "include_subdomains": True, "nosniff": True, "max_age": 63072000,
        "preload": True,
    }},
}
for setting_id, value in SETTINGS.items():
    cloudflare.ZoneSetting(f"zone-{setting_id}", zone_id=ZONE_ID, setting_id=setting_id,
                           value=value)
