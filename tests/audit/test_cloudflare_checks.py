"""Cloudflare checks through the official SDK against a local server answering like the API:
each passes on the zone edge.py declares and fails when one thing drifts."""

from __future__ import annotations

import pytest

from tests.audit.cloudflare_fake import TOKEN, ZONE, FakeCloudflare
from tests.audit.conftest import check_by_id, messages
from trustctl.audit.cloudflare_reader import CloudflareReader
from trustctl.audit.expectations import load
from trustctl.report.results import Status

CF_CHECKS = ["AUD_CF_1", "AUD_CF_2", "AUD_CF_3", "AUD_CF_4", "AUD_CF_5", "AUD_CF_6"]


@pytest.fixture
def fake():
    with FakeCloudflare() as server:
        yield server


def run(fake, check_id, token=TOKEN):
    return check_by_id(check_id).run(CloudflareReader(token, ZONE, fake.base_url, load()))


@pytest.mark.parametrize("check_id", CF_CHECKS)
def test_declared_zone_passes(fake, check_id):
    outcome = run(fake, check_id)
    assert outcome.status == Status.PASS, (outcome.findings, outcome.unreadable)


def test_tls_drift_fails(fake):
    fake.zone["settings"].update(min_tls_version="1.0", ssl="flexible")
    assert messages(run(fake, "AUD_CF_1")) == [
        f"zone {ZONE}: min_tls_version is '1.0', want one of 1.2, 1.3",
        f"zone {ZONE}: ssl is 'flexible', want one of strict, full_strict"]


def test_short_hsts_without_preload_fails(fake):
    hsts = fake.zone["settings"]["security_header"]["strict_transport_security"]
    hsts.update(max_age=31536000, preload=False)
    assert messages(run(fake, "AUD_CF_2")) == [
        f"zone {ZONE}: strict_transport_security.preload is not true",
        f"zone {ZONE}: strict_transport_security.max_age is 31536000, below 63072000"]


def test_ct_alerting_off_fails(fake):
    fake.zone["ct_alerting"] = {"enabled": False}
    assert len(run(fake, "AUD_CF_3").findings) == 2


def test_owasp_only_logging_fails(fake):
    rule = fake.zone["rulesets"]["0a1b"]["rules"][1]
    rule["action_parameters"]["overrides"] = {"action": "log"}
    assert messages(run(fake, "AUD_CF_4")) == [
        f"zone {ZONE}: Cloudflare OWASP Core Ruleset (4814384a9e5d4991b9815dcfc25d2f1f) is "
        "not executed by an enabled, enforcing rule"]


def test_rate_limit_too_lenient_and_path_missing_fails(fake):
    rule = fake.zone["rulesets"]["2c3d"]["rules"][0]
    rule["expression"] = rule["expression"].replace('"/signup"', '"/register"')
    assert messages(run(fake, "AUD_CF_5")) == [
        "/signup: no enabled rule blocks it after at most 10 requests with a lockout "
        "(mitigation_timeout)"]
    rule["ratelimit"]["requests_per_period"] = 100
    assert len(run(fake, "AUD_CF_5").findings) == 5


def test_csp_with_unsafe_inline_fails(fake):
    header = fake.zone["rulesets"]["4e5f"]["rules"][0]["action_parameters"]["headers"]
    header["Content-Security-Policy"]["value"] = "script-src 'self' 'unsafe-inline'"
    assert run(fake, "AUD_CF_6").status == Status.FAIL


def test_refused_token_is_error_and_token_never_shown(fake):
    outcome = run(fake, "AUD_CF_1", token="wrong-token-4242")
    assert outcome.status == Status.ERROR
    assert outcome.unreadable == ["Cloudflare zone settings: HTTP 403"]
    assert "wrong-token-4242" not in repr(outcome.to_json())


def test_cli_cloudflare_only_passes_and_keeps_the_token_secret(fake, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from trustctl.cli import app

    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    skips = [x for a in ("aws", "site", "database", "supabase", "records", "access")
             for x in ("--skip", a)]
    result = CliRunner().invoke(app, ["audit", *skips, "--cloudflare-base-url", fake.base_url,
                                      "--evidence-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "WAF                   pass            AUD_CF_4" in result.stdout
    record = next(tmp_path.glob("audit-*.json")).read_text()
    assert TOKEN not in result.output + record
    assert '"zone_id": "fedcba9876543210fedcba9876543210"' in record
