"""NO-PUBLIC-DB: the Supabase database accepts connections only from allowed networks
(a Supabase database is reachable from anywhere until restricted)."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.supabase_reader import SupabaseReader

WORLD = {"0.0.0.0/0", "::/0"}


@live_check(
    id="AUD_SB_1", area="supabase",
    name="Supabase network restrictions keep the database off the public internet",
    risk="The production database accepts connections from any address on the internet.",
    remediation="Set the project's network restrictions to the application's egress CIDRs "
                "(IPv4 and IPv6), never 0.0.0.0/0 or ::/0.",
)
def check(sb: SupabaseReader, out: Outcome) -> None:
    found = sb.get("network restrictions", "/network-restrictions")
    config = found.get("config") or {}
    cidrs = [*(config.get("dbAllowedCidrs") or []), *(config.get("dbAllowedCidrsV6") or [])]
    out.facts.update(status=found.get("status"), allowed=cidrs)
    if found.get("status") != "applied":
        out.fail(sb.project, f"network restrictions are {found.get('status')}, not applied")
    if not cidrs or WORLD & set(cidrs):
        out.fail(sb.project, "the database accepts connections from anywhere "
                             f"(allowed: {', '.join(cidrs) or 'all'})")
