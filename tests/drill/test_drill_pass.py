"""A drill of a good backup passes every step and records what it proved."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from backup.fixtures import Source, take_backup

from drill.helpers import SecretSpy
from trustctl.archive.location import Location
from trustctl.archive.verify import verify_backup
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.drill.command import summary
from trustctl.drill.run import DrillOptions, run_drill


def test_drill_of_good_backup_passes(spy: SecretSpy, source: Source,
                                     locked_location: Location) -> None:
    manifest = take_backup(source, locked_location)
    result = run_drill(locked_location.store(), locked_location.kms(), DrillOptions(quiet=True))
    record = result.to_json()
    assert record["exit_code"] == 0, record["reason"]
    assert [s["status"] for s in record["steps"]] == ["pass"] * len(record["steps"])
    assert [s["name"] for s in record["steps"]] == [
        "select-backup", "kms-key", "authenticate", "rpo", "retention", "scratch", "roles",
        "extensions", "restore", "verify-tables", "verify-rls", "verify-isolation", "verify-writes",
        "export",
        "rto", "teardown"]
    assert record["backup"]["backup_id"] == manifest.backup_id
    assert record["backup"]["authenticated"] is True
    assert record["object_read"]["version_id"] == manifest.object_version
    assert record["object_read"]["sha256"] == manifest.object_sha256
    assert {c["id"]: c["status"] for c in record["controls"]} == {
        "TENANT-ISOLATION": "pass", "BACKUP-DAILY-35D": "pass", "RESTORE-DRILL": "pass",
        "RPO-RTO": "pass", "DATA-EXPORT": "pass"}
    assert record["rpo"]["met"] and record["rto"]["met"]
    text = json.dumps(record)
    assert source.pg.state()["password"] not in text
    spy.assert_absent(text)
    with pytest.raises(AssertionError):  # the spy holds the real key and scratch password
        spy.assert_absent(base64.b64encode(spy.data_keys[0]).decode(), spy.scratch_passwords[0])
    # an auditor reads what each verification proved, in figures, not the options used
    details = {s["name"]: s["detail"] for s in record["steps"]}
    rows = sum(t.rows for t in manifest.tables)
    assert re.fullmatch(rf"10 tables, {rows:,} rows: counts and checksums equal the manifest's; "
                        r"checked in \d+\.\d s while the restore built keys, indexes and policies",
                        details["verify-tables"]), details["verify-tables"]
    assert details["restore"].endswith("tables verified while the post-data (keys, indexes, "
                                       "policies) was restored"), details["restore"]
    assert details["verify-rls"] == (
        "10 tenant tables in public: RLS enabled on each tenant table, no policy admits another "
        "tenant's rows, no application role owns one or bypasses RLS; application roles: "
        "claver_app; bypass RLS by design (reported): postgres")
    assert details["verify-writes"].endswith("cross-tenant writes tried in rolled-back sessions "
                                             "(0 untried): 0 allowed"), details["verify-writes"]
    isolation = re.fullmatch(
        r"recipe setting, 3 tenants x 10 tables as claver_app: 0 rows of other tenants "
        r"visible, own rows seen in (\d+) of (\d+) \(table, tenant\) pairs that hold some",
        details["verify-isolation"])
    assert isolation and isolation[1] == isolation[2] and int(isolation[1]) > 0, \
        details["verify-isolation"]
    steps = {s["name"]: s for s in record["steps"]}
    assert steps["verify-isolation"]["facts"]["why"] == [
        "application role claver_app: the default (declare app_roles)",
        "recipe setting: the policies read current_setting('app.tenant_id')"]
    export = re.fullmatch(r"tenant (\S+) as claver_app: 10 tables, ([\d,]+) rows, [\d,]+ bytes "
                          r"of CSV: exactly its rows", details["export"])
    assert export and export[1] == steps["verify-isolation"]["facts"]["tenants"][0], \
        details["export"]
    files = steps["export"]["facts"]["files"]
    assert sum(f["rows"] for f in files.values()) == int(export[2].replace(",", "")) > 0
    text = summary(result, Path("drill.json"))
    assert "10 tenant tables in public: RLS enabled on each tenant table" in text
    assert "0 rows of other tenants visible" in text


@pytest.mark.parametrize(("dump_jobs", "restore_jobs"), [(2, 2), (1, 2)])
def test_parallel_dump_and_restore(source: Source, locked_location: Location,
                                   dump_jobs: int, restore_jobs: int, tmp_path: Path) -> None:
    target = BackupTarget(locked_location.store(), locked_location.kms(),
                          locked_location.kms_key_id)
    manifest = run_backup(source.database(), target, quiet=True, jobs=dump_jobs, work_dir=tmp_path)
    assert manifest.dump_format == ("directory-tar" if dump_jobs > 1 else "custom")
    assert not list(tmp_path.iterdir())  # the plaintext directory dump is gone
    assert verify_backup(locked_location.store(), locked_location.kms(), manifest.backup_id,
                         manifest, quiet=True).ok
    options = DrillOptions(quiet=True, jobs=restore_jobs, scratch_parent=tmp_path)
    record = run_drill(locked_location.store(), locked_location.kms(), options).to_json()
    assert record["exit_code"] == 0, record["reason"]
    restore = next(s for s in record["steps"] if s["name"] == "restore")
    assert f"{restore_jobs} job(s)" in restore["detail"]
    assert not list(tmp_path.iterdir())  # scratch and its plaintext workspace are gone
