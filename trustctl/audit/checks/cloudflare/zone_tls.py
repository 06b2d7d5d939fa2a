"""TLS-MIN: the zone refuses TLS < 1.2, offers TLS 1.3, redirects to HTTPS, validates origins."""

from trustctl.audit.cloudflare_reader import CloudflareReader
from trustctl.audit.live_check import Outcome, live_check

WANTED = {  # setting -> accepted values
    "min_tls_version": ("1.2", "1.3"),
    "tls_1_3": ("on", "zrt"),
    "always_use_https": ("on",),
    "ssl": ("strict", "full_strict"),
}


@live_check(
    id="AUD_CF_1", area="cloudflare",
    name="Zone: minimum TLS 1.2, TLS 1.3 on, always HTTPS, SSL Full (strict)",
    risk="Clients negotiate obsolete TLS or plain HTTP; the edge trusts any origin certificate.",
    remediation="Set min_tls_version 1.2, tls_1_3 on, always_use_https on and ssl strict "
                "(infra/components/edge.py declares them: run pulumi up).",
)
def check(cf: CloudflareReader, out: Outcome) -> None:
    settings = cf.settings()
    out.facts.update({name: settings.get(name) for name in WANTED})
    for name, accepted in WANTED.items():
        if settings.get(name) not in accepted:
            out.fail(f"zone {cf.zone_id}", f"{name} is {settings.get(name)!r}, want one of "
                                           f"{', '.join(accepted)}")
