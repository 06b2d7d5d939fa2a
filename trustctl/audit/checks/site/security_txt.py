"""SECURITY-TXT: /.well-known/security.txt is valid (RFC 9116) and names the page's contact."""

from datetime import UTC, datetime

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.site_reader import SiteReader


@live_check(
    id="AUD_SITE_6", area="site",
    name="security.txt is valid under RFC 9116 (Contact, Expires, Policy) and names our contact",
    risk="Researchers cannot find, or cannot trust, where to report a vulnerability.",
    remediation="Serve /.well-known/security.txt over HTTPS with Contact: "
                "mailto:<securityContactEmail>, an Expires within a year and a Policy URL.",
)
def check(site: SiteReader, out: Outcome) -> None:
    from sectxt import Parser

    response = site.get("/.well-known/security.txt")
    out.facts["status"] = response.status
    where = f"{site.url}/.well-known/security.txt"
    if response.status != 200:
        out.fail(where, f"HTTP {response.status}")
        return
    parsed = Parser(response.body, urls=where)
    out.facts.update(errors=parsed.errors, recommendations=parsed.recommendations)
    for error in parsed.errors:
        out.fail(where, f"{error['code']}: {error['message']}")
    contacts = [line.get("value", "") for line in parsed.lines
                if (line.get("field_name") or "").lower() == "contact"]
    out.facts["contacts"] = contacts
    if site.contact and f"mailto:{site.contact}".lower() not in [c.lower() for c in contacts]:
        out.fail(where, f"does not name {site.contact} (Contact: {', '.join(contacts) or 'none'})")
    if not any((line.get("field_name") or "").lower() == "policy" for line in parsed.lines):
        out.fail(where, "no Policy field")
    out.facts["checked_at"] = datetime.now(UTC).isoformat()
