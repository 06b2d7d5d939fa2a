"""TLS-MIN: the site refuses TLS 1.0 and 1.1 and accepts TLS 1.2 and 1.3."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.site_reader import SiteReader

REFUSED, ACCEPTED = ("TLSv1.0", "TLSv1.1"), ("TLSv1.2", "TLSv1.3")


@live_check(
    id="AUD_SITE_1", area="site",
    name="The site refuses TLS 1.0/1.1 and accepts TLS 1.2 and 1.3",
    risk="Clients negotiate obsolete TLS, or modern browsers cannot get TLS 1.3.",
    remediation="Set the zone's min_tls_version to 1.2 and tls_1_3 on (or the origin's "
                "ssl_protocols TLSv1.2 TLSv1.3).",
)
def check(site: SiteReader, out: Outcome) -> None:
    accepted = site.accepted_versions()
    out.facts["accepted"] = accepted
    for version in REFUSED:
        if accepted[version]:
            out.fail(site.url, f"accepts {version}")
    for version in ACCEPTED:
        if not accepted[version]:
            out.fail(site.url, f"refuses {version}")
