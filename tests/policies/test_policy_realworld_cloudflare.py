"""The Cloudflare checks judge real recorded API state (cf-terraforming cassettes) correctly.

The recorded zone has HTTPS redirects off and a one-day HSTS max-age, a rate-limit rule that
is disabled and allows 100 requests a minute on a cookie, and the Cloudflare Managed Ruleset
deployed but disabled: exactly the drift the gate must catch. The API objects are laid into
the TF provider v5 resources (same field names), as the gate lays out Pulumi state.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from policy_checkov_run import REPO_ROOT, Scan, run_checkov
from policy_plan_builder import Resource, plan_document
from policy_scenario import FAILED, PASSED

pytestmark = [pytest.mark.realworld, pytest.mark.slow]

RESPONSES = REPO_ROOT.parent / "shared" / "realworld" / "cloudflare" / "responses"
ZONE_ID = "0da42c8d2132a9ddaf714f9e7c920711"
ZONE_SETTINGS = ("min_tls_version", "tls_1_3", "always_use_https", "ssl", "security_header")
RULESET_FIELDS = ("kind", "name", "description", "phase", "rules")


def _result(name: str) -> Any:
    return json.loads((RESPONSES / name).read_text())["result"]


def _zone_settings() -> list[Resource]:
    return [
        Resource(
            "cloudflare_zone_setting",
            item["id"],
            {"zone_id": ZONE_ID, "setting_id": item["id"], "value": item["value"]},
        )
        for item in _result("zone-settings.list.GET.json")
        if item["id"] in ZONE_SETTINGS
    ]


def _ruleset(name: str, response: str) -> Resource:
    body = _result(response)
    values = {key: body[key] for key in RULESET_FIELDS if key in body}
    return Resource("cloudflare_ruleset", name, {"zone_id": ZONE_ID, **values})


@pytest.fixture(scope="module")
def recorded_scan(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    if not RESPONSES.is_dir():
        pytest.fail(f"real-world responses missing at {RESPONSES}")
    resources = [
        *_zone_settings(),
        _ruleset("ratelimit", "ruleset.http_ratelimit.entrypoint.GET.json"),
        _ruleset("firewall_managed", "ruleset.http_request_firewall_managed.entrypoint.GET.json"),
    ]
    plan = tmp_path_factory.mktemp("realworld") / "plan.json"
    plan.write_text(json.dumps(plan_document(resources)))
    return run_checkov(plan)


@pytest.mark.parametrize(
    ("check_id", "address", "outcome"),
    [
        ("CKV_TRUST_1", "cloudflare_zone_setting.min_tls_version", PASSED),
        ("CKV_TRUST_2", "cloudflare_zone_setting.tls_1_3", PASSED),
        ("CKV_TRUST_3", "cloudflare_zone_setting.always_use_https", FAILED),
        ("CKV_TRUST_4", "cloudflare_zone_setting.ssl", PASSED),
        ("CKV_TRUST_5", "cloudflare_zone_setting.security_header", FAILED),
        ("CKV_TRUST_27", "cloudflare_ruleset.ratelimit", FAILED),
        ("CKV_TRUST_28", "cloudflare_ruleset.ratelimit", FAILED),
        ("CKV_TRUST_26", "cloudflare_ruleset.firewall_managed", FAILED),
    ],
)
def test_recorded_cloudflare_state(
    recorded_scan: Scan, check_id: str, address: str, outcome: str
) -> None:
    assert recorded_scan.outcomes(check_id, address) == {outcome}


def test_findings_say_what_is_wrong(recorded_scan: Scan) -> None:
    details = " ".join(
        recorded_scan.record("CKV_TRUST_27", "cloudflare_ruleset.ratelimit")["details"]
    )
    assert "is disabled" in details
    assert "requests_per_period is 100" in details
    hsts = recorded_scan.record("CKV_TRUST_5", "cloudflare_zone_setting.security_header")
    assert any("max_age is 86400," in d for d in hsts["details"])
