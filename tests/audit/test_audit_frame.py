"""The frame: the catalog maps every live check, results by control, exit codes, fail closed
(refused or unreachable AWS is `error`, never pass), the record, the shared renderers."""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from sample_facts import drill_facts
from typer.testing import CliRunner

from tests.audit.aws_denier import DenyingAws
from trustctl.audit.live_check import Outcome
from trustctl.audit.registry import all_checks
from trustctl.audit.run import by_control
from trustctl.aws import AwsTarget, client
from trustctl.catalog import load_catalog
from trustctl.cli import app
from trustctl.records import Record, open_store
from trustctl.report.results import Finding, Status

SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "gate" / "schemas" /
                           "sarif-schema-2.1.0.json").read_text())
PREFIX = {"aws": "AWS", "cloudflare": "CF", "site": "SITE", "database": "DB", "supabase": "SB",
          "records": "REC", "access": "ACCESS_REVIEW"}
OTHER_AREAS = ["--skip", "cloudflare", "--skip", "site", "--skip", "database",
               "--skip", "supabase", "--skip", "access"]


def test_catalog_maps_every_live_check_and_nothing_else():
    mapped = [i for c in load_catalog() for i in c.verification.live]
    assert sorted(set(mapped)) == sorted(c.id for c in all_checks())


def test_every_check_has_metadata():
    for check in all_checks():
        meta = check.metadata
        assert meta.id.startswith(f"AUD_{PREFIX[meta.area]}_")
        assert meta.name and meta.risk and meta.remediation


def test_fail_beats_error_and_unrun_controls_are_not_applicable():
    failing = Outcome("AUD_AWS_2", findings=[Finding("x", check_id="AUD_AWS_2")])
    unreadable = Outcome("AUD_AWS_1", unreadable=["kms:list_keys on the account: AccessDenied"])
    results = {r.id: r for r in by_control(load_catalog(), [failing, unreadable])}
    assert results["ENC-AT-REST"].status == Status.FAIL
    assert any("could not check: kms:list_keys" in f.message
               for f in results["ENC-AT-REST"].findings)
    assert results["WAF"].status == Status.NOT_APPLICABLE
    alone = {r.id: r for r in by_control(load_catalog(), [unreadable])}
    assert alone["ENC-AT-REST"].status == Status.ERROR


def _audit(tmp_path, monkeypatch, endpoint, *args):
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    evidence = tmp_path / "evidence"
    result = CliRunner().invoke(app, ["audit", *OTHER_AREAS, "--evidence-dir", str(evidence),
                                      *args])
    return result, evidence


def test_access_denied_is_error_never_pass_and_exits_2(tmp_path, monkeypatch):
    with DenyingAws() as denier:
        result, evidence = _audit(tmp_path, monkeypatch, denier.url, "--skip", "records",
                                  "--format", "json")
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    statuses = {c["id"]: c["status"] for c in doc["controls"]}
    assert statuses["ENC-AT-REST"] == "error"
    assert "pass" not in statuses.values()
    messages = [f["message"] for c in doc["controls"] for f in c["findings"]]
    assert "could not check: kms:list_keys on the account: AccessDeniedException" in messages
    assert any("s3:list_buckets on the account: AccessDenied" in m for m in messages)
    record = json.loads(next(evidence.glob("audit-*.json")).read_text())
    assert record["facts"]["exit_code"] == 2


def test_a_failure_exits_1_even_when_something_could_not_be_checked(tmp_path, monkeypatch):
    with DenyingAws() as denier:  # AWS errors; the records area fails: no drill record at all
        result, _ = _audit(tmp_path, monkeypatch, denier.url)
    assert result.exit_code == 1, result.output
    assert "RESTORE-DRILL         fail" in result.stdout
    assert "ENC-AT-REST           error" in result.stdout
    assert "Could not be checked." in result.stdout


def test_unreachable_endpoint_is_error(tmp_path, monkeypatch):
    result, _ = _audit(tmp_path, monkeypatch, "http://127.0.0.1:9", "--skip", "records",
                       "--format", "junit")
    assert result.exit_code == 2
    suite = ET.fromstring(result.stdout.split("\n", 1)[1])
    assert suite.get("name") == "trustctl audit"
    assert int(suite.get("errors")) >= 7 and suite.get("failures") == "0"


def test_record_is_0640_hashed_and_holds_facts(tmp_path, monkeypatch, moto_server):
    result, evidence = _audit(tmp_path, monkeypatch, moto_server.url, "--format", "sarif")
    sarif = json.loads(result.stdout)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    assert sarif["runs"][0]["tool"]["driver"]["name"] == "trustctl audit"
    path = next(evidence.glob("audit-*.json"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    record = json.loads(path.read_text())
    [stored] = open_store(evidence).read("audit")  # the store checks the RFC 8785 hash
    assert stored.to_json() == record == Record.from_json(record, str(path)).to_json()
    assert "+sha256:" in record["catalog_version"]
    assert record["targets"]["areas"]["aws"]["region"] == "eu-west-2"
    assert any(c["check"] == "AUD_AWS_2" and "buckets" in c["facts"]
               for c in record["facts"]["checks"])


def test_unknown_area_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["audit", "--skip", "dns", "--evidence-dir",
                                      str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("trustctl: error: --skip dns: not an area (aws, cloudflare, "
                                     "site, database, supabase, records, access)")


@pytest.mark.parametrize("area", ["cloudflare", "site", "database", "supabase"])
def test_area_asked_for_but_not_configured_is_error(tmp_path, monkeypatch, area):
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    monkeypatch.delenv("TRUSTCTL_AUDIT_DSN", raising=False)
    monkeypatch.delenv("SUPABASE_ACCESS_TOKEN", raising=False)
    skips = [a for a in ("aws", "cloudflare", "site", "database", "supabase", "records",
                         "access") if a != area]
    args = [x for a in skips for x in ("--skip", a)]
    (tmp_path / "none.yaml").write_text("config: {}\n")
    result = CliRunner().invoke(app, ["audit", *args, "--evidence-dir", str(tmp_path),
                                      "--format", "json",
                                      "--stack-config", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert {c["status"] for c in doc["controls"]} == {"error", "not_applicable"}


@pytest.fixture
def own_moto() -> Iterator[AwsTarget]:
    """A moto server in a process of its own: moto keeps its state per process, so an evidence
    bucket made in a thread of this one would break the compliant account the other audit
    tests read."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H",
                               "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield AwsTarget(region="eu-west-2", endpoint_url=url)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_evidence_bucket_holds_the_record_and_the_drills_read(tmp_path, monkeypatch, own_moto):
    """--evidence s3://: the drill records RESTORE-DRILL rests on are read from the bucket, and
    the audit's own record goes there (Object Lock), not to --evidence-dir."""
    aws = own_moto
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("AWS_REGION", aws.region)
    client("s3", aws).create_bucket(
        Bucket="audit-evidence", ObjectLockEnabledForBucket=True,
        CreateBucketConfiguration={"LocationConstraint": aws.region})
    bucket = open_store("s3://audit-evidence/records")
    finished = datetime.now(UTC) - timedelta(days=3)
    started = finished - timedelta(minutes=5)
    bucket.write(Record.new(drill_facts(started, finished, rto_seconds=None), started, finished,
                            targets={},
                            controls=[{"id": "RESTORE-DRILL", "status": "pass", "findings": []}]))
    skips = [x for a in ("aws", "cloudflare", "site", "database", "supabase")
             for x in ("--skip", a)]
    result = CliRunner().invoke(app, ["audit", *skips, "--evidence", "s3://audit-evidence/records",
                                      "--evidence-dir", str(tmp_path / "unused"),
                                      "--format", "json"])
    statuses = {c["id"]: c["status"] for c in json.loads(result.stdout)["controls"]}
    assert statuses["RESTORE-DRILL"] == "pass", result.output
    assert statuses["RPO-RTO"] == "fail"  # no backup bucket audited, no restore time measured
    assert result.exit_code == 1
    [audit] = bucket.read("audit")
    assert audit.status_of("RESTORE-DRILL") == "pass"
    assert not (tmp_path / "unused").exists()
