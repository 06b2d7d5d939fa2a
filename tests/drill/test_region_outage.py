"""`drill --region-outage`: the primary region is gone, the backup comes from the replica.

The primary's endpoint is a 127.0.0.1 port that refuses every connection (a socket bound but
never listening), so any call to the primary region makes the drill exit 2: a drill that passes
read nothing there. The recovery region is the session's moto (us-west-2 on the same server),
laid out by the sandbox's own recovery code (replica bucket, replica key, stand-in key), and
the backup is copied by the sandbox's stand-in for S3 replication.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from backup.fixtures import Source
from typer.testing import CliRunner

from trustctl import aws
from trustctl.archive import recovery
from trustctl.archive.keys import KeyUnusable, replica_key_arn
from trustctl.archive.location import Location
from trustctl.archive.manifest import Manifest
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.cli import app
from trustctl.provider import LocationFlags
from trustctl.sandbox import backup_target
from trustctl.sandbox.provider import SandboxProvider
from trustctl.sandbox.recovery import DeclaredRecovery, declare_recovery
from trustctl.sandbox.replication import Replication
from trustctl.sandbox.state import SandboxInfo

AWS_STEPS = ("select-backup", "kms-key", "authenticate", "rpo", "retention", "restore")


@dataclass
class Regions:
    """Both regions: the primary (its backups; unreachable during the drill) and the copy."""

    primary: Location
    recovery: DeclaredRecovery
    replication: Replication
    refused_url: str
    moto_url: str

    def backup(self, source: Source) -> Manifest:
        store, kms = self.primary.store(), self.primary.kms()
        return run_backup(source.database(), BackupTarget(store, kms, self.primary.kms_key_id),
                          quiet=True)


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A 127.0.0.1 port that refuses connections (bound, never listening) while the test runs."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def _regions(primary_target: aws.AwsTarget, refused_url: str) -> Regions:
    """Both regions as the sandbox lays them out."""
    backup = backup_target.declare(primary_target)
    declared = declare_recovery(primary_target, backup.bucket)
    primary = Location(primary_target, backup.bucket, "backups", backup.key_arn)
    return Regions(primary, declared, Replication(primary_target, backup.bucket, declared),
                   refused_url, primary_target.endpoint_url)


@dataclass(frozen=True)
class _OutageSandbox(SandboxProvider):
    """The sandbox's regions on the session's moto, its primary's endpoint refusing every
    connection."""

    refused_url: str = ""

    def backups(self, flags: LocationFlags) -> Location:
        live = super().backups(flags)
        return replace(live, target=replace(live.target, endpoint_url=self.refused_url))


def _outage(regions: Regions, monkeypatch: pytest.MonkeyPatch, source: Source) -> Regions:
    """`--sandbox` resolves to these regions, the primary's endpoint refusing connections."""
    declared = regions.recovery
    info = SandboxInfo(
        aws_endpoint=regions.moto_url, region=regions.primary.target.region,
        backup_bucket=regions.primary.bucket, kms_key_id="", pg_host="", pg_port=0,
        kms_key_arn=regions.primary.kms_key_id, pg_database="", pg_user="", app_role="",
        tenants=0, size_mb=0, started_at="", dsn=source.dsn, app_dsn=source.app_dsn,
        recovery_region=declared.region, replica_bucket=declared.bucket,
        stand_in_key_arn=declared.stand_in_key_arn)
    provider = _OutageSandbox(info, regions.refused_url)
    monkeypatch.setattr(SandboxProvider, "connect",
                        classmethod(lambda cls, profile, start=False: provider))
    return regions


@pytest.fixture
def outage(aws: aws.AwsTarget, refused_url: str, monkeypatch: pytest.MonkeyPatch,
           source: Source) -> Regions:
    return _outage(_regions(aws, refused_url), monkeypatch, source)


def _drill(tmp_path: Path, *extra: str) -> tuple[int, dict | None, str]:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    result = CliRunner().invoke(app, ["drill", "--evidence-dir", str(tmp_path / "evidence"),
                                      "--scratch-dir", str(scratch), "--format", "json",
                                      *extra])
    records = sorted((tmp_path / "evidence").glob("drill-*.json"))
    stored = json.loads(records[-1].read_text()) if records else None
    return result.exit_code, stored["facts"] if stored else None, result.stderr


def test_the_drill_restores_from_the_replica_with_the_primary_unreachable(
        outage: Regions, source: Source, tmp_path: Path) -> None:
    older = outage.backup(source)
    outage.replication.copy_new()
    newest = outage.backup(source)  # taken just before the outage: never reached the replica
    code, record, stderr = _drill(tmp_path, "--sandbox", "--region-outage")
    assert code == 0, stderr
    assert record["backup"]["backup_id"] == older.backup_id != newest.backup_id
    assert record["backup"]["bucket"] == outage.recovery.bucket
    assert {s["name"]: s["served_by"] for s in record["steps"] if s["name"] in AWS_STEPS} == \
        dict.fromkeys(AWS_STEPS, "us-west-2")
    assert {s["served_by"] for s in record["steps"] if s["name"] not in AWS_STEPS} == \
        {"this host"}
    region = record["region_outage"]
    assert region["primary_region"] == outage.primary.target.region
    assert region["primary_bucket"] == outage.primary.bucket
    assert region["recovery_region"] == "us-west-2"
    assert any("moto does not replicate" in note for note in region["notes"])
    assert record["rpo"]["measured_seconds"] > 0 and record["rto"]["met"]
    kms_step = next(s for s in record["steps"] if s["name"] == "kms-key")
    assert outage.recovery.stand_in_key_arn in kms_step["detail"]
    assert "moto does not replicate" in stderr  # the sandbox says what it stands in for


def test_a_tampered_copy_fails_though_the_primary_is_intact(
        outage: Regions, source: Source, tmp_path: Path) -> None:
    manifest = outage.backup(source)
    outage.replication.copy_new()
    s3 = aws.client("s3", aws.AwsTarget("us-west-2", outage.moto_url))
    s3.put_object(Bucket=outage.recovery.bucket, Key=manifest.object_key, Body=b"not a backup")
    code, record, _ = _drill(tmp_path, "--sandbox", "--region-outage")
    assert code == 1
    restore = next(s for s in record["steps"] if s["name"] == "restore")
    assert restore["status"] == "fail" and restore["served_by"] == "us-west-2"


def test_rpo_is_the_age_of_the_replicas_newest_backup(outage: Regions, source: Source,
                                                      tmp_path: Path) -> None:
    outage.backup(source)
    outage.replication.copy_new()
    code, record, stderr = _drill(tmp_path, "--sandbox", "--region-outage",
                                  "--rpo-hours", "0.000001")
    assert code == 1
    rpo = next(s for s in record["steps"] if s["name"] == "rpo")
    assert rpo["status"] == "fail" and "RPO" in rpo["findings"][0]
    assert "trustctl: drill fail:" in stderr


def test_production_outage_refuses_a_single_region_backup_key(
        aws: aws.AwsTarget, refused_url: str, source: Source, tmp_path: Path) -> None:
    """Without --sandbox the replica key is the manifest's key ARN in the recovery region: a
    single-Region key (the sandbox's, which moto needs) has none, a finding, not a crash."""
    regions = _regions(aws, refused_url)
    manifest = regions.backup(source)
    regions.replication.copy_new()
    code, record, stderr = _drill(
        tmp_path, "--region-outage", "--bucket", regions.primary.bucket, "--region", aws.region,
        "--endpoint-url", refused_url, "--recovery-region", "us-west-2",
        "--recovery-bucket", regions.recovery.bucket, "--recovery-endpoint-url", regions.moto_url)
    assert code == 1, stderr
    assert record["backup"]["backup_id"] == manifest.backup_id
    key = next(s for s in record["steps"] if s["name"] == "kms-key")
    assert key["status"] == "fail" and "not a multi-Region" in key["findings"][0]
    assert key["served_by"] == "us-west-2"


def test_replica_key_arn_swaps_the_region_of_multi_region_keys_only() -> None:
    arn = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    assert replica_key_arn(arn, "us-west-2") == arn.replace("us-east-1", "us-west-2")
    gov = arn.replace("arn:aws:", "arn:aws-us-gov:").replace("us-east-1", "us-gov-east-1")
    assert replica_key_arn(gov, "us-gov-west-1").split(":")[1:4] == [
        "aws-us-gov", "kms", "us-gov-west-1"]
    for single in ("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                   "alias/backups", "mrk-1234"):
        with pytest.raises(KeyUnusable):
            replica_key_arn(single, "us-west-2")


@pytest.mark.parametrize(("flags", "says"), [
    (["--recovery-region", "eu-west-2"], "treated as gone"),
    ([], "--recovery-bucket"),
])
def test_bad_recovery_flags_are_one_clear_line(flags: list[str], says: str,
                                               tmp_path: Path, refused_url: str) -> None:
    code, record, stderr = _drill(tmp_path, "--region-outage", "--bucket", "b", "--region",
                                  "eu-west-2", "--endpoint-url", refused_url, *flags)
    assert code == 2 and record is None
    assert says in stderr and len(stderr.strip().splitlines()) == 1


def test_the_recovery_region_defaults_to_the_stack_configs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert recovery.stack_setting("trustctl:recoveryRegion") == "us-west-2"  # Pulumi.prod.yaml
    other = tmp_path / "Pulumi.other.yaml"
    other.write_text("config:\n  trustctl:recoveryRegion: eu-central-1\n")
    monkeypatch.setattr(recovery, "PRODUCTION_STACK_CONFIG", other)
    assert recovery.default_recovery_region() == "eu-central-1"
    monkeypatch.setattr(recovery, "PRODUCTION_STACK_CONFIG", tmp_path / "missing.yaml")
    assert recovery.default_recovery_region() == recovery.DEFAULT_RECOVERY_REGION
