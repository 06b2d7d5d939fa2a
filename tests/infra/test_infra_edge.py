"""TLS-MIN, HSTS, CT-MONITOR, WAF, AUTH-RATE-LIMIT, CSP-SRI: the Cloudflare zone's promises."""

from __future__ import annotations

import json

import pytest
import yaml
from infra_queries import one

from trustctl.plan import Plan

ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting"
RULESET = "cloudflare:index/ruleset:Ruleset"


def _settings(plan: Plan) -> dict:
    return {s.inputs["settingId"]: s.inputs["value"] for s in plan.of_type(ZONE_SETTING)}


def _phase(plan: Plan, phase: str) -> dict:
    [ruleset] = [r for r in plan.of_type(RULESET) if r.inputs["phase"] == phase]
    assert ruleset.inputs["kind"] == "zone"
    return ruleset.inputs


def _config(repo_root) -> dict:
    return yaml.safe_load((repo_root / "Pulumi.prod.yaml").read_text())["config"]


def test_every_edge_resource_targets_the_configured_zone(prod_plan: Plan, repo_root) -> None:
    zone = _config(repo_root)["trustctl:cloudflareZoneId"]
    edge = [r for r in prod_plan.resources if r.type.startswith("cloudflare:")]
    assert len(edge) == 9
    assert {r.inputs["zoneId"] for r in edge} == {zone}


def test_tls_is_1_2_minimum_1_3_on_https_always_origin_strict(prod_plan: Plan) -> None:
    settings = _settings(prod_plan)
    assert settings["min_tls_version"] == "1.2"
    assert settings["tls_1_3"] in ("on", "zrt")
    assert settings["always_use_https"] == "on"
    assert settings["ssl"] == "strict"


def test_hsts_is_two_years_with_subdomains_and_preload(prod_plan: Plan) -> None:
    hsts = _settings(prod_plan)["security_header"]["strict_transport_security"]
    assert hsts["enabled"] is True
    assert hsts["max_age"] >= 63_072_000
    assert hsts["include_subdomains"] is True
    assert hsts["preload"] is True
    assert hsts["nosniff"] is True


def test_certificate_transparency_alerts_go_to_security(prod_plan: Plan, repo_root) -> None:
    ct = one(prod_plan, "cloudflare:index/ctAlerting:CtAlerting", "ct-alerting").inputs
    assert ct["enabled"] is True
    assert ct["emails"] == [_config(repo_root)["trustctl:securityContactEmail"]]


def test_both_managed_waf_rulesets_are_executed(prod_plan: Plan) -> None:
    rules = _phase(prod_plan, "http_request_firewall_managed")["rules"]
    executed = {r["actionParameters"]["id"] for r in rules
                if r["action"] == "execute" and r["enabled"] is True and r["expression"] == "true"}
    assert executed == {"efb7b8c949ac4650a09736fc376e9aee", "4814384a9e5d4991b9815dcfc25d2f1f"}


def test_one_enabled_lockout_rule_per_auth_path(prod_plan: Plan, repo_root) -> None:
    paths = _config(repo_root)["trustctl:authPaths"]
    rules = _phase(prod_plan, "http_ratelimit")["rules"]
    assert len(rules) == len(paths)
    for path, rule in zip(paths, rules, strict=True):
        assert path.rstrip("*") in rule["expression"]
        assert rule["enabled"] is True
        assert rule["action"] == "block"
        limit = rule["ratelimit"]
        assert limit["characteristics"] == ["cf.colo.id", "ip.src"]
        assert limit["requestsPerPeriod"] <= 10
        assert limit["mitigationTimeout"] >= 600
        assert limit["requestsToOrigin"] is True
        # Only failed attempts count towards the lockout, on this path only.
        assert limit["countingExpression"].startswith(rule["expression"])
        assert "http.response.code in {401 403" in limit["countingExpression"]


def test_every_response_carries_a_script_restricting_csp(prod_plan: Plan) -> None:
    [rule] = _phase(prod_plan, "http_response_headers_transform")["rules"]
    assert rule["action"] == "rewrite"
    assert rule["enabled"] is True
    assert rule["expression"] == "true"
    header = rule["actionParameters"]["headers"]["Content-Security-Policy"]
    assert header["operation"] == "set"
    script_src = next(d.strip() for d in header["value"].split(";")
                      if d.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src
    assert "*" not in script_src.split()


@pytest.mark.realworld
def test_zone_setting_values_have_the_shape_cloudflare_returns(prod_plan: Plan, repo_root) -> None:
    """`value` reaches the API untranslated, so it must use the API's own (snake_case) keys."""
    listing = repo_root.parent / "shared/realworld/cloudflare/responses/zone-settings.list.GET.json"
    served = {s["id"]: s["value"] for s in json.loads(listing.read_text())["result"]}
    for setting_id, value in _settings(prod_plan).items():
        assert type(value) is type(served[setting_id]), setting_id
        if isinstance(value, dict):
            ours = value["strict_transport_security"]
            assert set(ours) == set(served[setting_id]["strict_transport_security"])
