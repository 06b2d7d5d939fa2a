"""What the report of a simulated quarter says, per control; OSCAL validates."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from trestle.oscal.assessment_results import AssessmentResults
from typer.testing import CliRunner

from evidence.helpers import Built, build
from evidence.quarter import END, MISSED_BACKUPS
from trustctl.aws import AwsTarget, client
from trustctl.cli import app


def test_statuses_per_control_over_the_quarter(quarter: Built) -> None:
    status = {c["id"]: c["status"] for c in quarter.report["controls"]}
    assert status["BACKUP-DAILY-35D"] == "failed"       # two days without a backup
    assert status["TLS-MIN"] == "verified"              # its audit failure was fixed next day
    assert status["RESTORE-DRILL"] == "verified"        # failing drill, then a passing one
    assert status["RPO-RTO"] == "verified"
    assert status["ACCESS-REVIEW"] == "verified"
    assert status["NO-PUBLIC-DB"] == "excepted"         # exception in force
    assert status["PRIVATE-NETWORK"] == "failed"        # its exception expired
    assert status["ACCESS-LOGGED"] == "failed"          # its attestation expired
    assert status["INCIDENT-72H"] == "attested"
    assert status["CHANGE-CONTROL"] == "attested"       # attested, never verified
    assert status["SECURITY-TXT"] == "not_checked"
    assert status["HSTS"] == "verified"


def test_gaps_name_the_missing_days_and_the_expired_exception_and_attestation(
        quarter: Built) -> None:
    gaps = [(g["control"], g["what"]) for g in quarter.report["gaps"]]
    assert [g for g in gaps if g[0] == "BACKUP-DAILY-35D"] == [
        ("BACKUP-DAILY-35D", f"no complete backup on {day}") for day in MISSED_BACKUPS]
    assert ("PRIVATE-NETWORK", "exception for bastion-subnet (owner platform) expired on "
            "2026-09-01") in gaps
    assert ("ACCESS-LOGGED", "attestation reason.yaml by CTO expired on 2026-09-01") in gaps
    assert len(gaps) == 4


def test_summary_figures_and_history(quarter: Built) -> None:
    summary = quarter.report["summary"]
    assert (summary["backup_days_complete"], summary["backup_days_expected"]) == (88, 90)
    assert (summary["drills"], summary["drills_passed"]) == (2, 1)
    assert (summary["audits"], summary["audits_failed"]) == (14, 1)
    assert (summary["verified"], summary["attested"], summary["excepted"]) == (12, 2, 1)
    assert (summary["failed"], summary["not_checked"], summary["gaps"]) == (3, 3, 4)
    drills = quarter.report["history"]["drills"]
    assert [(d["status"], d["rto_hours"]) for d in drills] == [("fail", 5.5), ("pass", 1.25)]
    tls = quarter.control("TLS-MIN")
    assert tls["deviations"] == ["audit of 2026-08-06 failed; the audit of 2026-08-07 passed"]
    assert "Evidence 2026-07-01 to 2026-09-28" in quarter.stdout
    assert "GAP BACKUP-DAILY-35D: no complete backup on 2026-07-15" in quarter.stdout
    assert quarter.stderr == (f"trustctl: evidence: 118 records of production read from "
                              f"{quarter.out.parent}/records (0 left out, 0 not whole)\n")


def test_every_piece_of_evidence_has_its_time_and_hash(quarter: Built) -> None:
    backups = quarter.control("BACKUP-DAILY-35D")["evidence"]
    assert len(backups) == 88 + 2  # the daily manifests and both drills
    records = {r["name"]: r["sha256"] for r in quarter.report["records"]}
    for item in backups:
        assert item["sha256"] == records[item["record"]]
        assert (quarter.out / "records" / item["record"]).is_file()
    assert quarter.control("ACCESS-REVIEW")["how_verified"] == ["access review record"]
    # the gate said TENANT-ISOLATION is not its business: only the drills verified it
    assert quarter.control("TENANT-ISOLATION")["how_verified"] == ["restore drill"]


def test_attested_controls_are_never_shown_as_verified(quarter: Built) -> None:
    change = quarter.control("CHANGE-CONTROL")
    assert change["status"] == "attested" and change["contract_status"] == "attested"
    assert change["how_verified"] == [] and change["attestations"][0]["attested_by"] == "CTO"
    html = (quarter.out / "report.html").read_text()
    assert 'data-control="CHANGE-CONTROL">attested (not verified)<' in html


def test_exceptions_in_force_are_listed_with_owner_and_expiry(quarter: Built) -> None:
    assert [(e["resource"], e["owner"], e["expires"])
            for e in quarter.report["exceptions_in_force"]] == [
        ("legacy-reporting-db", "platform", "2026-12-31")]
    assert quarter.control("NO-PUBLIC-DB")["exceptions"][0]["expired"] is False
    html = (quarter.out / "report.html").read_text()
    section = html.split("<h2>Exceptions in force</h2>")[1].split("<h2>")[0]
    assert "legacy-reporting-db" in section and "2026-12-31" in section
    assert "bastion-subnet" not in section  # expired: a gap, not an exception in force


def test_oscal_assessment_results_validate(quarter: Built) -> None:
    doc = AssessmentResults.oscal_read(quarter.out / "assessment-results.json")
    [result] = doc.results
    findings = {f.target.target_id: f.target.status for f in result.findings}
    assert findings["TLS-MIN"].state.value == "satisfied"
    assert findings["BACKUP-DAILY-35D"].state.value == "not-satisfied"
    assert findings["CHANGE-CONTROL"].reason == "other"  # attested is not "pass"
    hashes = {r.title: r.rlinks[0].hashes[0].value for r in doc.back_matter.resources[1:]}
    assert hashes == {r["name"]: r["sha256"] for r in quarter.report["records"]}


def test_outputs_are_0640_and_listed_in_the_signed_manifest(quarter: Built) -> None:
    files = [p for p in quarter.out.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"report.html", "report.json", "assessment-results.json",
                                       "manifest.json", "manifest.sig.json", "public-key.pem",
                                       "manifest.intoto.json"}
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o640}
    listed = {f["path"] for f in json.loads((quarter.out / "manifest.json").read_text())["files"]}
    assert listed == {p.relative_to(quarter.out).as_posix() for p in files} - {
        "manifest.json", "manifest.sig.json", "public-key.pem", "manifest.intoto.json"}


def test_no_drill_and_a_failed_last_audit_are_gaps(tmp_path: Path, signing_key: str) -> None:
    built = build(tmp_path, drills=False, last_audit_fails=True, key_id=signing_key)
    assert built.code == 1
    gaps = {(g["control"], g["what"]) for g in built.report["gaps"]}
    assert ("RESTORE-DRILL", "no passing drill in the period nor within 92 days before its "
            "end") in gaps
    assert ("HSTS", f"audit of {END} failed and no passing audit followed") in gaps
    assert built.control("HSTS")["status"] == "failed"


def test_build_from_the_evidence_bucket_says_the_same(quarter: Built, tmp_path: Path,
                                                     aws: AwsTarget) -> None:
    client("s3", aws).create_bucket(Bucket="claver-evidence", ObjectLockEnabledForBucket=True,
                                    CreateBucketConfiguration={"LocationConstraint": aws.region})
    (tmp_path / "s3").mkdir()
    from_bucket = build(tmp_path / "s3", bucket="s3://claver-evidence/records")
    assert from_bucket.code == 1, from_bucket.stderr
    assert from_bucket.report["summary"] == quarter.report["summary"]
    assert from_bucket.report["gaps"] == quarter.report["gaps"]


def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "attestations").mkdir()
    (tmp_path / "attestations" / "bad.yaml").write_text(
        "control: INCIDENT-72H\nstatement: s\nattested_by: x\nattested_on: 2026-01-01\n"
        "valid_until: someday\nevidence: e\n")
    result = CliRunner().invoke(app, [
        "evidence", "build", "--from", "2026-07-01", "--to", "2026-09-28",
        "--out", str(tmp_path / "out"), "--evidence-dir", str(tmp_path / "none"),
        "--attestations", str(tmp_path / "attestations")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"trustctl: error: {tmp_path / 'attestations' / 'bad.yaml'}: valid_until: expected a "
        "YYYY-MM-DD date"]
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(app, ["evidence", "build", "--from", "2026-09-30", "--to",
                                      "2026-07-01", "--out", str(tmp_path / "o2")])
    assert result.exit_code == 2 and "--to is before --from" in result.stderr
