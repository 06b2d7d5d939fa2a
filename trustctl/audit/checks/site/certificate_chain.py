"""TLS-MIN: the site's certificate chain verifies for its host name."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.site_reader import SiteReader


@live_check(
    id="AUD_SITE_2", area="site",
    name="The site's certificate chain is valid for its host",
    risk="Browsers warn or refuse; users learn to click through certificate errors.",
    remediation="Serve the full chain of a certificate for the host from a trusted CA "
                "(Cloudflare edge certificate, Full (strict) to the origin).",
)
def check(site: SiteReader, out: Outcome) -> None:
    problem = site.chain_problem()
    out.facts["verified"] = problem is None
    if problem:
        out.fail(site.url, f"certificate does not verify: {problem}")
