"""Supabase project checks through the Management API, against a local server answering like
it: each passes on a restricted, SSL-only, rate-limited, MFA-enabled, backed-up project and
fails when one setting is loosened."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.audit.conftest import check_by_id, messages
from tests.audit.supabase_fake import PROJECT, TOKEN, FakeSupabase
from trustctl.audit.expectations import load
from trustctl.audit.supabase_reader import SupabaseReader
from trustctl.cli import app
from trustctl.report.results import Status

SB_CHECKS = ["AUD_SB_1", "AUD_SB_2", "AUD_SB_3", "AUD_SB_4", "AUD_SB_5"]


@pytest.fixture
def fake():
    with FakeSupabase() as server:
        yield server


def run(fake, check_id, token=TOKEN):
    reader = SupabaseReader(token, PROJECT, fake.url, load())
    try:
        return check_by_id(check_id).run(reader)
    finally:
        reader.close()


@pytest.mark.parametrize("check_id", SB_CHECKS)
def test_restricted_project_passes(fake, check_id):
    outcome = run(fake, check_id)
    assert outcome.status == Status.PASS, (outcome.findings, outcome.unreadable)


def test_database_open_to_the_world_fails(fake):
    fake.project["/network-restrictions"]["config"]["dbAllowedCidrs"] = ["0.0.0.0/0"]
    assert messages(run(fake, "AUD_SB_1")) == [
        f"{PROJECT}: the database accepts connections from anywhere (allowed: 0.0.0.0/0, "
        "2001:db8::/48)"]


def test_ssl_not_enforced_fails(fake):
    fake.project["/ssl-enforcement"]["currentConfig"]["database"] = False
    assert run(fake, "AUD_SB_2").status == Status.FAIL


def test_lenient_sign_in_limit_fails(fake):
    fake.project["/config/auth"]["rate_limit_verify"] = 30
    assert messages(run(fake, "AUD_SB_3")) == [
        f"{PROJECT}: rate_limit_verify is 30, not between 1 and 10"]


def test_mfa_off_fails(fake):
    fake.project["/config/auth"]["mfa_totp_enroll_enabled"] = False
    assert messages(run(fake, "AUD_SB_4")) == [f"{PROJECT}: mfa_totp_enroll_enabled is not true"]


def test_stale_backups_without_pitr_fail(fake):
    fake.project["/database/backups"]["backups"][0]["inserted_at"] = "2026-01-01T00:00:00.000Z"
    assert run(fake, "AUD_SB_5").status == Status.FAIL


def test_refused_token_is_error_and_never_shown(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", "sbp_wrong_token_7777")
    skips = [x for a in ("aws", "cloudflare", "site", "database", "records", "access")
             for x in ("--skip", a)]
    result = CliRunner().invoke(app, ["audit", *skips, "--supabase-project", PROJECT,
                                      "--supabase-base-url", fake.url, "--format", "json",
                                      "--evidence-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    no_public = next(c for c in doc["controls"] if c["id"] == "NO-PUBLIC-DB")
    assert no_public["findings"][0]["message"] == (
        "could not check: Supabase network restrictions: HTTP 401")
    record = next(tmp_path.glob("audit-*.json")).read_text()
    assert "sbp_wrong_token_7777" not in result.output + record
