"""STAFF-ACCESS: Supabase Auth offers and verifies multi-factor authentication (TOTP)."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.supabase_reader import SupabaseReader


@live_check(
    id="AUD_SB_4", area="supabase",
    name="Supabase Auth has TOTP MFA enrolment and verification on",
    risk="Accounts can only use passwords: one leaked password is one taken account.",
    remediation="Enable mfa_totp_enroll_enabled and mfa_totp_verify_enabled in the project's "
                "auth configuration.",
)
def check(sb: SupabaseReader, out: Outcome) -> None:
    auth = sb.get("auth configuration", "/config/auth")
    flags = {k: auth.get(k) for k in ("mfa_totp_enroll_enabled", "mfa_totp_verify_enabled")}
    out.facts.update(flags)
    for name, on in flags.items():
        if on is not True:
            out.fail(sb.project, f"{name} is not true")
