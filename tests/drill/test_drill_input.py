"""Bad input to a drill: one line, exit 2, no traceback, no password, and still a record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backup.fixtures import BUCKET, Source, take_backup
from typer.testing import CliRunner

from drill.helpers import SecretSpy, assert_clean, location_args, run_drill_cli
from trustctl.archive.location import Location
from trustctl.aws import AwsTarget
from trustctl.cli import app

HIDDEN = "Hidden-Pw-7"


def step(record: dict, name: str) -> dict:
    return next(s for s in record["steps"] if s["name"] == name)


def assert_could_not_run(result, spy: SecretSpy, failed_step: str, says: str) -> None:
    """Exit 2, the reason names the step, the record says error, nothing left, no secret."""
    assert result.code == 2, result.stderr
    assert f"trustctl: drill error: {failed_step}: " in result.stderr
    assert says in step(result.record, failed_step)["findings"][0]
    assert result.record["status"] == "error" and result.record["exit_code"] == 2
    assert HIDDEN not in result.stdout + result.stderr + json.dumps(result.record)
    assert_clean(result, spy)


def test_unknown_backup_id_cannot_run(spy: SecretSpy, source: Source,
                                      locked_location: Location, tmp_path: Path) -> None:
    take_backup(source, locked_location)
    result = run_drill_cli(locked_location, tmp_path, "--backup", "NOSUCHID")
    assert_could_not_run(result, spy, "select-backup",
                         f"no backup NOSUCHID in s3://{locked_location.bucket}/backups/")
    assert step(result.record, "scratch")["status"] == "skipped"
    # the server started meanwhile (assert_clean: nothing of it left under the scratch dir)
    assert step(result.record, "teardown")["detail"] == (
        "the scratch server started meanwhile was not used: stopped and removed")


def test_unreachable_aws_endpoint_cannot_run(spy: SecretSpy, tmp_path: Path) -> None:
    nowhere = Location(AwsTarget("eu-west-2", "http://127.0.0.1:1"), BUCKET, "backups", None)
    result = run_drill_cli(nowhere, tmp_path)
    assert_could_not_run(result, spy, "select-backup", "Could not connect to the endpoint URL")


def test_malformed_endpoint_url_cannot_run(tmp_path: Path) -> None:
    malformed = Location(AwsTarget("eu-west-2", "not a url"), BUCKET, "backups", None)
    result = run_drill_cli(malformed, tmp_path)
    assert result.code == 2 and result.record is None  # refused before the drill started
    assert result.stderr.strip().splitlines() == [
        "trustctl: error: not a valid AWS endpoint URL: not a url"]


@pytest.mark.parametrize(("scratch_dsn", "says"), [
    (f"postgresql://drill:{HIDDEN}@127.0.0.1:notaport/scratch", "has a port that is not a number"),
    (f"host=127.0.0.1 password='{HIDDEN} dbname=scratch", "is not a valid Postgres connection"),
    (f"mysql://drill:{HIDDEN}@127.0.0.1/scratch", "is a mysql:// URI, not a Postgres"),
    (f"{HIDDEN}", "is not a Postgres connection string"),
])
def test_malformed_scratch_dsn_is_refused_before_the_drill(locked_location: Location,
                                                           tmp_path: Path, scratch_dsn: str,
                                                           says: str) -> None:
    result = run_drill_cli(locked_location, tmp_path, env={"TRUSTCTL_SCRATCH_DSN": scratch_dsn})
    assert result.code == 2 and result.record is None
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("trustctl: error: --scratch-dsn / TRUSTCTL_SCRATCH_DSN ")
    assert says in line
    assert "accepted: a postgresql:// or postgres:// URI" in line
    assert HIDDEN not in line + result.stdout


def test_unreachable_scratch_dsn_cannot_run(spy: SecretSpy, source: Source,
                                            locked_location: Location, tmp_path: Path) -> None:
    take_backup(source, locked_location)
    result = run_drill_cli(locked_location, tmp_path, env={
        "TRUSTCTL_SCRATCH_DSN": f"postgresql://drill:{HIDDEN}@127.0.0.1:1/scratch"})
    assert_could_not_run(result, spy, "scratch", "cannot connect")
    assert step(result.record, "restore")["status"] == "skipped"


def test_unwritable_evidence_dir_is_refused_before_anything(locked_location: Location,
                                                            tmp_path: Path) -> None:
    """Hours of restore with nowhere to put the evidence would be wasted: refuse up front."""
    not_a_dir = tmp_path / "evidence"
    not_a_dir.write_text("a file, not a directory")
    result = CliRunner().invoke(app, ["drill", *location_args(locked_location),
                                      "--evidence-dir", str(not_a_dir / "records")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"trustctl: error: cannot use {not_a_dir / 'records'} for records: Not a directory"]
    assert "looking for" not in result.stderr  # the drill did not start


@pytest.mark.parametrize(("args", "says"), [
    (["--tenant-recipe", "cookies"], "--tenant-recipe must be one of setting, jwt-claims, "
                                     "membership"),
    (["--tenant-claims", "{not json}"], "--tenant-claims is not a JSON template"),
    (["--tenancy", "/nonexistent/tenancy.yaml"], "cannot read tenancy /nonexistent/tenancy.yaml"),
    (["--sandbox-profile", "supabase"], "--sandbox-profile needs --sandbox"),
])
def test_bad_tenancy_input_is_refused_before_anything(locked_location: Location, tmp_path: Path,
                                                      args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, ["drill", *location_args(locked_location), "--evidence-dir",
                                      str(tmp_path), *args])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr
    assert "looking for" not in result.stderr and not list(tmp_path.iterdir())


def test_membership_recipe_without_a_query_cannot_run(
        spy: SecretSpy, source: Source, locked_location: Location, tmp_path: Path) -> None:
    take_backup(source, locked_location)
    result = run_drill_cli(locked_location, tmp_path, "--tenant-recipe", "membership")
    assert_could_not_run(result, spy, "verify-isolation", "needs session.membership_query")
