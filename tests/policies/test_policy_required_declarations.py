"""`requires:` of policies/controls.yaml: what a program must declare, as the gate asks it."""

from __future__ import annotations

from types import SimpleNamespace

from trustctl.catalog import load_catalog
from trustctl.gate import declarations

STATIC = {c.id: set(c.verification.static) for c in load_catalog()}


def _required_declarations() -> SimpleNamespace:
    return SimpleNamespace(REQUIRED=declarations.requirements(),
                           missing_declarations=declarations.missing_declarations)


def test_an_empty_program_misses_every_required_declaration() -> None:
    module = _required_declarations()
    assert module.missing_declarations([]) == list(module.REQUIRED)


def test_required_declarations_are_met_by_matching_resources_only() -> None:
    module = _required_declarations()
    backup_key = {"type": "aws_kms_key", "values": {"tags": {"trustctl:purpose": "backup"}}}
    data_key = {"type": "aws_kms_key", "values": {"tags": {"trustctl:purpose": "data"}}}
    tls = {"type": "cloudflare_zone_setting", "values": {"setting_id": "min_tls_version"}}
    missing = {r.describe() for r in module.missing_declarations([data_key, tls])}
    assert "aws_kms_key with tags.trustctl:purpose=backup" in missing
    assert "cloudflare_zone_setting with setting_id=min_tls_version" not in missing
    assert "aws_kms_key" not in missing
    assert "aws_kms_key with tags.trustctl:purpose=backup" not in {
        r.describe() for r in module.missing_declarations([backup_key])
    }


def test_s3_endpoint_requirement_matches_any_region_but_no_other_service() -> None:
    module = _required_declarations()

    def endpoint(service_name: str) -> dict:
        return {"type": "aws_vpc_endpoint", "values": {"service_name": service_name}}

    wanted = "aws_vpc_endpoint with service_name=com.amazonaws.*.s3"
    missing = {
        r.describe()
        for r in module.missing_declarations([endpoint("com.amazonaws.eu-west-1.dynamodb")])
    }
    assert wanted in missing
    missing = {
        r.describe() for r in module.missing_declarations([endpoint("com.amazonaws.eu-west-1.s3")])
    }
    assert wanted not in missing


def test_either_kind_of_ct_monitoring_meets_the_ct_requirement() -> None:
    module = _required_declarations()
    [ct] = [r for r in module.REQUIRED if r.control == "CT-MONITOR"]
    assert ct.is_met_by("cloudflare_ct_alerting", {"enabled": True})
    assert ct.is_met_by("cloudflare_notification_policy", {"alert_type": "ct_alert"})
    assert not ct.is_met_by("cloudflare_notification_policy", {"alert_type": "billing_usage_alert"})


def test_required_declarations_name_checks_of_their_control() -> None:
    for required in _required_declarations().REQUIRED:
        assert set(required.checked_by) & STATIC[required.control], required
