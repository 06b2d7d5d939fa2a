"""CSP-SRI: every third-party <script> carries a Subresource Integrity hash."""

from urllib.parse import urlsplit

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.site_reader import SiteReader

HASHES = ("sha256-", "sha384-", "sha512-")


@live_check(
    id="AUD_SITE_5", area="site",
    name="Every third-party script has an integrity (SRI) attribute",
    risk="A compromised script CDN runs its code in customers' browsers.",
    remediation='Add integrity="sha384-..." and crossorigin="anonymous" to every <script> '
                "loaded from another host.",
)
def check(site: SiteReader, out: Outcome) -> None:
    scripts = site.scripts()
    third_party = [s for s in scripts if urlsplit(s["src"]).hostname != site.host]
    out.facts.update(scripts=scripts, third_party=len(third_party))
    for script in third_party:
        if not (script["integrity"] or "").strip().startswith(HASHES):
            out.fail(script["src"], "third-party script without an integrity hash")
