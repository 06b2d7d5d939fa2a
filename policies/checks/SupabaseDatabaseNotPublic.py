"""The Supabase project admits named networks only, and only over TLS.

A Supabase database is reachable from anywhere until network restrictions are applied, and an
empty list of allowed CIDRs means "everyone"; 0.0.0.0/0 or ::/0 says it outright.
"""

import ipaddress
from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, is_true, strings

METADATA = Metadata(
    severity="CRITICAL",
    risk="The production database accepts connections from the whole internet.",
    remediation=(
        "List only the runners' or the VPC's egress ranges in the Supabase project's "
        "allowed_cidrs (never 0.0.0.0/0 or ::/0, never empty) and keep ssl_enforced true."
    ),
)


class SupabaseDatabaseNotPublic(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_36",
            name="Ensure the Supabase database admits only named networks, over TLS",
            category=CheckCategories.NETWORKING,
            resources=["supabase_project_settings"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        cidrs = strings(conf.get("allowed_cidrs"))
        found = [] if cidrs else ["no allowed CIDRs: Supabase then admits every address"]
        for cidr in cidrs:
            try:
                network = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                found.append(f"{cidr!r} is not a CIDR block")
                continue
            if network.prefixlen == 0:
                found.append(f"{cidr} admits the whole internet")
        if not is_true(attr(conf, "ssl_enforced")):
            found.append("ssl_enforced is not true: connections may skip TLS")
        return found


check = SupabaseDatabaseNotPublic()
