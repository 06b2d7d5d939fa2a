"""Two buckets built through the program's own component (components/store.py), and a setting
read from the stack's config. A pull request that changes one of the two calls, or the config
line, must get its finding on the line it changed."""

import pulumi
import pulumi_aws as aws
import pulumi_cloudflare as cloudflare
from components.store import Store

data_key = aws.kms.Key("data-key", enable_key_rotation=True, deletion_window_in_days=30)
invoices = Store("invoices", key=data_key)
exports = Store("exports", key=data_key)

# the edge's minimum TLS version is the stack's to choose (Pulumi.test.yaml)
min_tls = cloudflare.ZoneSetting("min-tls", zone_id="0123456789abcdef0123456789abcdef",
                                 setting_id="min_tls_version",
                                 value=pulumi.Config().require("minTlsVersion"))
