"""HSTS: the page's header meets the security page (2 years) and the preload list's rules."""

from urllib.parse import urlsplit

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.site_reader import SiteReader
from trustctl.catalog import page_figures

PRELOAD_MIN = 31536000  # hstspreload.org: max-age >= 1 year, includeSubDomains, preload


@live_check(
    id="AUD_SITE_3", area="site",
    name="Strict-Transport-Security: max-age >= 2 years, includeSubDomains, preload; "
         "HTTP redirects to HTTPS on the same host",
    risk="Browsers can be stripped to HTTP; the domain cannot stay on the preload list.",
    remediation="Send Strict-Transport-Security: "
                f"max-age={page_figures().hsts_max_age_seconds}; includeSubDomains; preload "
                "and redirect http:// to https:// on the same host (always_use_https).",
)
def check(site: SiteReader, out: Outcome) -> None:
    header = site.get("/").headers.get("strict-transport-security")
    out.facts["header"] = header
    if header is None:
        out.fail(site.url, "no Strict-Transport-Security header")
    else:
        for problem in _problems(header):
            out.fail(site.url, problem)
    location = site.http_redirect()
    out.facts["http_redirect"] = location
    target = urlsplit(location or "")
    if target.scheme != "https" or target.hostname != site.host:
        out.fail(f"http://{site.host}/", f"does not redirect to https://{site.host}/ "
                                         f"(Location: {location})")


def _problems(header: str) -> list[str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    try:
        max_age = int(directives.get("max-age", ""))
    except ValueError:
        return [f"max-age is missing or not a number in {header!r}"]
    found = []
    promised = page_figures().hsts_max_age_seconds
    if max_age < promised:
        found.append(f"max-age={max_age} is below the promised {promised}"
                     + (" and the preload list's one year" if max_age < PRELOAD_MIN else ""))
    found += [f"{flag} is missing (required for preload)"
              for flag in ("includesubdomains", "preload") if flag not in directives]
    return found
