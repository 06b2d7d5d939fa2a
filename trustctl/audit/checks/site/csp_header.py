"""CSP-SRI: the page's Content-Security-Policy restricts scripts (no 'unsafe-inline')."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.site_reader import SiteReader


@live_check(
    id="AUD_SITE_4", area="site",
    name="Content-Security-Policy restricts scripts without 'unsafe-inline'",
    risk="An injected inline script runs: the policy does not stop cross-site scripting.",
    remediation="Send a Content-Security-Policy whose script-src (or default-src) lists "
                "sources, nonces or hashes, never 'unsafe-inline' alone.",
)
def check(site: SiteReader, out: Outcome) -> None:
    header = site.get("/").headers.get("content-security-policy")
    out.facts["header"] = header
    if not header:
        out.fail(site.url, "no Content-Security-Policy header")
        return
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        if name:
            directives.setdefault(name.lower(), values)
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        out.fail(site.url, "neither script-src nor default-src restricts scripts")
    elif "'unsafe-inline'" in scripts and not any(
            v.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for v in scripts):
        out.fail(site.url, "scripts allow 'unsafe-inline'")
