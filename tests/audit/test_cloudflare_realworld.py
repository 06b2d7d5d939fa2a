"""The Cloudflare checks read real API responses (recorded by cf-terraforming against a real
zone, served in place from ../shared/realworld) through the SDK, and judge them right."""

from __future__ import annotations

import pytest

from tests.audit.cloudflare_fake import TOKEN, FakeCloudflare
from tests.audit.conftest import check_by_id, messages
from tests.conftest import REALWORLD
from trustctl.audit.cloudflare_reader import CloudflareReader
from trustctl.audit.expectations import load

pytestmark = pytest.mark.realworld

RESPONSES = REALWORLD / "cloudflare" / "responses"
ZONE = "0da42c8d2132a9ddaf714f9e7c920711"  # upstream's test zone


def _serve(**extra: str) -> FakeCloudflare:
    files = {f"/zones/{ZONE}/settings": RESPONSES / "zone-settings.list.GET.json",
             **{f"/zones/{ZONE}{path}": RESPONSES / name for path, name in extra.items()}}
    return FakeCloudflare(files=files)


def _run(server: FakeCloudflare, check_id: str):
    return check_by_id(check_id).run(CloudflareReader(TOKEN, ZONE, server.base_url, load()))


def test_real_zone_settings():
    with _serve() as server:
        tls, hsts = _run(server, "AUD_CF_1"), _run(server, "AUD_CF_2")
    assert messages(tls) == [f"zone {ZONE}: always_use_https is 'off', want one of on"]
    assert messages(hsts) == [f"zone {ZONE}: strict_transport_security.max_age is 86400, "
                              "below 63072000"]
    assert tls.facts["min_tls_version"] == "1.2" and tls.facts["ssl"] == "strict"


def test_real_managed_firewall_entrypoint_with_the_managed_rule_disabled():
    with _serve(**{"/rulesets": "rulesets.list.firewall-managed-zone.GET.json",
                   "/rulesets/4c971a697dd249939460f4520dcd7184":
                       "ruleset.http_request_firewall_managed.entrypoint.GET.json"}) as server:
        outcome = _run(server, "AUD_CF_4")
    # the recorded zone executes the Cloudflare Managed Ruleset in a rule that is disabled
    assert [m.split(": ", 1)[1].split(" (")[0] for m in messages(outcome)] == [
        "Cloudflare Managed Ruleset", "Cloudflare OWASP Core Ruleset"]
    assert not any("/rulesets/efb7b8" in p for p in server.requests)  # managed ones: not read


def test_real_rate_limit_rule_does_not_cover_auth_paths():
    with _serve(**{"/rulesets": "rulesets.list.ratelimit-zone.GET.json",
                   "/rulesets/bf47a1e2d1f1402aa85eb8f507e3ff5b":
                       "ruleset.http_ratelimit.entrypoint.GET.json"}) as server:
        outcome = _run(server, "AUD_CF_5")
    # one recorded rule: disabled, 100 requests a minute, on a cookie rather than a path
    assert (outcome.facts["rules"], outcome.facts["enabled_rules"]) == (1, 0)
    assert [f.resource for f in outcome.findings] == list(load().auth_paths)
