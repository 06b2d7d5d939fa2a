"""TLS-MIN: the Supabase database refuses connections without TLS."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.supabase_reader import SupabaseReader


@live_check(
    id="AUD_SB_2", area="supabase",
    name="Supabase enforces SSL on database connections",
    risk="Clients can connect to the database in plain text.",
    remediation="Enable SSL enforcement (PUT /v1/projects/<ref>/ssl-enforcement "
                '{"requestedConfig": {"database": true}}).',
)
def check(sb: SupabaseReader, out: Outcome) -> None:
    found = sb.get("SSL enforcement", "/ssl-enforcement")
    out.facts.update(found)
    if not (found.get("currentConfig") or {}).get("database"):
        out.fail(sb.project, "SSL is not enforced for database connections")
