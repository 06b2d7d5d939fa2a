"""`trustctl audit --sandbox` end to end through the real CLI: the sandbox (moto, embedded
PostgreSQL) started by `trustctl drill --sandbox`, which also leaves the backup and the drill
record the audit reads, and a local HTTPS site; it passes, then fails once a key stops rotating.
ACCESS-REVIEW passes on the access review the fixture records, and fails without one or when
a removal it decided is not done. No password of the sandbox reaches the output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from tests.sandbox.sandbox_harness import kill_leftovers
from trustctl.aws import AwsTarget, client
from trustctl.sandbox.account import TRAIL

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    home = tmp_path_factory.mktemp("audit-home")
    evidence = home / "evidence"
    env = {**os.environ, "TRUSTCTL_HOME": str(home)}
    for name in ("AWS_ENDPOINT_URL", "CLOUDFLARE_API_TOKEN", "TRUSTCTL_AUDIT_DSN",
                 "SUPABASE_ACCESS_TOKEN"):
        env.pop(name, None)

    def cli(*args, timeout=300):
        return subprocess.run([sys.executable, "-m", "trustctl.cli", *args], env=env,
                              capture_output=True, text=True, timeout=timeout)

    try:
        # from a fresh state: up, a backup, its copy to us-west-2, a drill from the copy alone
        outage = cli("drill", "--sandbox", "--region-outage", "--evidence-dir", str(evidence),
                     "--format", "json")
        assert outage.returncode == 0, outage.stderr
        served = {s["name"]: s["served_by"] for s in json.loads(outage.stdout)["steps"]}
        assert served["restore"] == served["select-backup"] == "us-west-2"
        drill = cli("drill", "--sandbox", "--evidence-dir", str(evidence))
        assert drill.returncode == 0, drill.stderr
        record_access_review(cli, home / "review.yaml", evidence, {})
        state = json.loads((home / "sandbox" / "state.json").read_text())["info"]
        yield cli, evidence, state
    finally:
        cli("sandbox", "down")
        kill_leftovers(home / "sandbox")


def record_access_review(cli, review, evidence, decisions) -> None:
    """The quarter's access review of the sandbox: `decisions` by principal, keep the rest."""
    prepared = cli("access-review", "prepare", "--sandbox", "--out", str(review),
                   "--evidence-dir", str(evidence))
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    document = yaml.safe_load(review.read_text())
    for row in document["rows"]:
        row.update(decision=decisions.get(row["principal"], "keep"), reason="sandbox",
                   reviewer="carol")
    review.write_text(yaml.safe_dump(document, sort_keys=False))
    recorded = cli("access-review", "record", str(review), "--evidence-dir", str(evidence))
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr


def test_sandbox_audit_passes(sandbox):
    cli, evidence, state = sandbox
    result = cli("audit", "--sandbox", "--evidence-dir", str(evidence), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    statuses = {c["id"]: c["status"] for c in doc["controls"]}
    assert {statuses[c] for c in ("ENC-AT-REST", "TENANT-ISOLATION", "RESTORE-DRILL",
                                  "RPO-RTO", "TLS-MIN", "SECURITY-TXT",
                                  "ACCESS-REVIEW")} == {"pass"}
    assert statuses["WAF"] == "not_applicable"  # the sandbox has no Cloudflare zone
    passwords = [unquote(urlsplit(state[k]).password or "") for k in ("dsn", "app_dsn")]
    assert all(p and p not in result.stdout + result.stderr for p in passwords)
    record = json.loads(sorted(evidence.glob("audit-*.json"))[-1].read_text())
    assert record["targets"]["skipped_checks"].keys() == {
        "AUD_AWS_11", "AUD_AWS_17", "AUD_AWS_22", "AUD_AWS_23", "AUD_AWS_24"}
    assert record["targets"]["skipped_areas"] == ["cloudflare", "supabase"]
    checks = {c["check"]: c["status"] for c in record["facts"]["checks"]}
    assert {checks[c] for c in ("AUD_REC_4", "AUD_REC_5", "AUD_AWS_25")} == {"pass"}
    assert all(p not in json.dumps(record) for p in passwords)


def test_sandbox_audit_fails_when_the_trail_stops(sandbox):
    cli, evidence, state = sandbox
    trail = client("cloudtrail", AwsTarget(state["region"], state["aws_endpoint"]))
    trail.stop_logging(Name=TRAIL)
    try:
        result = cli("audit", "--sandbox", "--evidence-dir", str(evidence))
    finally:
        trail.start_logging(Name=TRAIL)
    assert result.returncode == 1, result.stdout
    assert "ACCESS-LOGGED         fail" in result.stdout
    lines = result.stdout.splitlines()
    at = lines.index(f"  ACCESS-LOGGED  AUD_AWS_14  {TRAIL}")
    assert lines[at + 1].strip() == "not logging"


def test_sandbox_audit_fails_without_an_access_review_and_on_a_removal_not_done(sandbox,
                                                                               tmp_path):
    cli, evidence, _state = sandbox
    other = tmp_path / "evidence"  # the drill's records, no access review
    other.mkdir()
    for drill in evidence.glob("drill-*.json"):
        shutil.copy2(drill, other)
    never = cli("audit", "--sandbox", "--evidence-dir", str(other), "--format", "json")
    assert never.returncode == 1, never.stdout + never.stderr
    access = control(never.stdout, "ACCESS-REVIEW")
    assert access["status"] == "fail"
    assert access["findings"][0]["message"].startswith("no completed access review recorded")
    assert control(never.stdout, "RESTORE-DRILL")["status"] == "pass"  # only the review fails

    record_access_review(cli, tmp_path / "review.yaml", other,
                         {"aws:role/claver-sandbox-on-call": "remove"})
    undone = cli("audit", "--sandbox", "--evidence-dir", str(other), "--format", "json")
    assert undone.returncode == 1, undone.stdout + undone.stderr
    access = control(undone.stdout, "ACCESS-REVIEW")
    assert access["status"] == "fail"
    assert {f["resource"] for f in access["findings"]} == {"aws:role/claver-sandbox-on-call"}


def control(report: str, control_id: str) -> dict:
    return next(c for c in json.loads(report)["controls"] if c["id"] == control_id)
