"""AUTH-RATE-LIMIT: Supabase Auth limits sign-in attempts per client to the page's threshold."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.supabase_reader import SupabaseReader


@live_check(
    id="AUD_SB_3", area="supabase",
    name="Supabase Auth rate-limits sign-ins and token refreshes",
    risk="Credential stuffing against Supabase Auth goes unchecked.",
    remediation="Set rate_limit_verify (sign-ins per 5 min per IP) to at most the failed-"
                "attempt threshold, and rate_limit_token_refresh and rate_limit_otp above 0.",
)
def check(sb: SupabaseReader, out: Outcome) -> None:
    auth = sb.get("auth configuration", "/config/auth")
    limit = sb.expected.failed_attempt_threshold
    limits = {k: auth.get(k) for k in ("rate_limit_verify", "rate_limit_token_refresh",
                                       "rate_limit_otp")}
    out.facts.update(limits)
    if not 0 < (limits["rate_limit_verify"] or 0) <= limit:
        out.fail(sb.project, f"rate_limit_verify is {limits['rate_limit_verify']}, not "
                             f"between 1 and {limit}")
    for name in ("rate_limit_token_refresh", "rate_limit_otp"):
        if not (limits[name] or 0) > 0:
            out.fail(sb.project, f"{name} is not set")
