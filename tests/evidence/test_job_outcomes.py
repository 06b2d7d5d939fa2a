"""Unsigned job outcomes (scripts/job-record) among signed records: a job that did not succeed
lowers its controls' verdict, naming its run; a success, even forged, never raises one; and
no outcome is ever a record problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from evidence.helpers import Built, build
from evidence.quarter import MISSED_BACKUPS
from trustctl.aws import AwsTarget, client
from trustctl.paths import REPO_ROOT
from trustctl.records import open_store

RUN = "https://github.com/claver/trustctl/actions/runs/{run}/attempts/1"


def job_record(directory: Path, job: str, controls: str, outcome: str, started: str,
               run: int) -> Path:
    """Run scripts/job-record as the action does, with a fake GitHub environment."""
    env = {"PATH": os.environ["PATH"], "JOB_KIND": job, "JOB_CONTROLS": controls,
           "JOB_OUTCOME": outcome, "JOB_STARTED": started,
           "TRUSTCTL_EVIDENCE_DIR": str(directory), "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_REPOSITORY": "claver/trustctl", "GITHUB_RUN_ID": str(run),
           "GITHUB_RUN_ATTEMPT": "1", "GITHUB_SHA": "a" * 40, "GITHUB_WORKFLOW": f"{job}-x",
           "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "schedule"}
    done = subprocess.run([sys.executable, REPO_ROOT / "scripts" / "job-record"], env=env,
                          check=True, capture_output=True, text=True, timeout=60)
    return Path(done.stdout.split()[2])


def _verdict(control: dict) -> dict:
    """A control's assessment, its evidence by name (records' hashes differ per directory)."""
    return {**control, "evidence": [e["record"] for e in control["evidence"]]}


def _with_outcomes(tmp_path: Path, *outcomes: tuple[str, str, str, str, int]) -> Built:
    records = tmp_path / "records"
    return build(tmp_path, tamper=lambda: [job_record(records, *o) for o in outcomes])


def test_a_failed_job_fails_its_control_naming_the_run_and_a_success_proves_nothing(
        tmp_path: Path) -> None:
    base = build(tmp_path / "base")
    built = _with_outcomes(
        tmp_path,
        # a success on a day without a backup record: still a missing backup day
        ("backup", "BACKUP-DAILY-35D", "success", f"{MISSED_BACKUPS[0]}T03:17:00Z", 41),
        ("audit", "WAF", "failure", "2026-08-12T06:00:00Z", 42))
    assert base.control("WAF")["status"] == "verified"
    waf = built.control("WAF")
    assert waf["status"] == "failed"
    assert [g["what"] for g in waf["gaps"]] == [
        f"the scheduled audit job ended: failure ({RUN.format(run=42)}) — an unauthenticated "
        "job outcome: it can only lower a verdict"]
    assert waf["gaps"][0]["on"] == "2026-08-12"
    backup = built.control("BACKUP-DAILY-35D")
    assert _verdict(backup) == _verdict(base.control("BACKUP-DAILY-35D"))  # nothing more
    assert f"no complete backup on {MISSED_BACKUPS[0]}" in [g["what"] for g in backup["gaps"]]
    # every other control reads exactly as without the outcomes
    assert ({c["id"]: c["status"] for c in built.report["controls"] if c["id"] != "WAF"}
            == {c["id"]: c["status"] for c in base.report["controls"] if c["id"] != "WAF"})
    summary = built.report["summary"]
    assert (summary["job_outcomes"], summary["job_outcomes_failed"],
            summary["job_outcomes_unreadable"], summary["record_problems"]) == (2, 1, 0, 0)
    assert summary["records"] == base.report["summary"]["records"]
    assert built.code == 1
    assert "jobs     2 scheduled job outcome(s), 1 not successful, 0 unreadable" in built.stdout
    assert " RECORD " not in built.stderr
    assert "Scheduled job outcomes" in (built.out / "report.html").read_text()
    assert sorted(p.name for p in (built.out / "records").iterdir()) == sorted(
        p.name for p in (base.out / "records").iterdir())  # an outcome is no record


def test_a_forged_success_cannot_turn_a_failed_or_unchecked_control_verified(
        tmp_path: Path) -> None:
    base = build(tmp_path / "base", drills=False)
    built = build(tmp_path, drills=False, tamper=lambda: [
        job_record(tmp_path / "records", "drill", "RESTORE-DRILL TENANT-ISOLATION", "success",
                   "2026-09-01T04:00:00Z", 43)])
    assert base.control("RESTORE-DRILL")["status"] == "failed"
    assert base.control("TENANT-ISOLATION")["status"] == "not_checked"
    for control in ("RESTORE-DRILL", "TENANT-ISOLATION"):
        assert _verdict(built.control(control)) == _verdict(base.control(control))
    assert built.report["summary"]["job_outcomes"] == 1


def test_outcomes_are_read_apart_and_never_make_the_store_refuse(tmp_path: Path) -> None:
    records = tmp_path / "records"
    store = open_store(str(records))
    from evidence.quarter import backup
    store.write(backup(MISSED_BACKUPS[0]))
    job_record(records, "backup", "BACKUP-DAILY-35D", "failure", "2026-07-15T03:17:00Z", 44)
    (records / "job-outcome-backup-truncated.json").write_text('{"format": "trustctl-job')
    [record] = store.read()  # no longer refuses the store: outcomes are not records
    assert record.kind == "backup"
    assert store.read("backup") == [record]  # as the audit's records reader reads (by kind)
    scan = open_store(str(records)).scan()
    assert scan.problems == []
    [failed] = scan.outcomes
    assert (failed.job, failed.outcome, failed.controls, failed.run) == (
        "backup", "failure", ("BACKUP-DAILY-35D",), RUN.format(run=44))
    assert [str(p) for p in scan.outcome_problems] == [
        f"{records}/job-outcome-backup-truncated.json: job outcome is not JSON"]


def test_an_altered_or_unreadable_outcome_is_one_line_and_fails_the_build(
        tmp_path: Path) -> None:
    def tamper() -> None:
        path = job_record(tmp_path / "records", "audit", "WAF", "failure",
                          "2026-08-12T06:00:00Z", 45)
        data = json.loads(path.read_text())
        path.write_text(json.dumps({**data, "outcome": "success"}))  # the hash no longer holds

    built = build(tmp_path, tamper=tamper)
    lines = [line for line in built.stderr.splitlines() if "JOB OUTCOME" in line]
    assert len(lines) == 1 and "does not match its sha256 (damaged)" in lines[0], built.stderr
    assert built.report["summary"]["job_outcomes_unreadable"] == 1
    assert built.report["summary"]["record_problems"] == 0
    assert built.code == 1


def test_outcomes_delivered_to_the_bucket_lower_a_verdict_and_an_overwrite_is_one_line(
        tmp_path: Path, aws: AwsTarget, bucket: str) -> None:
    s3 = client("s3", aws)

    def deliver() -> None:  # as the job-record action does: records/<file name>, if absent
        for run, (control, outcome) in enumerate((("WAF", "failure"), ("HSTS", "success"))):
            path = job_record(tmp_path / "job", "audit", control, outcome,
                              f"2026-08-1{run}T06:00:00Z", 50 + run)
            s3.put_object(Bucket=bucket, Key=f"records/{path.name}", Body=path.read_bytes(),
                          IfNoneMatch="*")
        # a second version over the success: tampering with an outcome, not with a record
        s3.put_object(Bucket=bucket, Key=f"records/{path.name}", Body=b"{}")

    built = build(tmp_path, bucket=f"s3://{bucket}/records", tamper=deliver)
    assert built.control("WAF")["status"] == "failed"
    assert RUN.format(run=50) in built.control("WAF")["gaps"][0]["what"]
    assert built.control("HSTS")["status"] == "verified"  # by its signed records, as before
    [line] = [ln for ln in built.stderr.splitlines() if "JOB OUTCOME" in ln]
    assert "job-outcome-audit-20260811T060000Z-run51-1.json" in line and "TAMPERING" in line
    summary = built.report["summary"]
    assert (summary["record_problems"], summary["job_outcomes"],
            summary["job_outcomes_unreadable"]) == (0, 2, 1)
