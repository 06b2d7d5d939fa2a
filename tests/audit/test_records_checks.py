"""The records the audit reads: backup manifests in the moto backup bucket (RPO) and drill
records in the record store (quarterly drill, RTO), their old fields under `facts`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sample_facts import drill_facts

from tests.audit.conftest import check_by_id, messages
from trustctl.archive.manifest import Manifest
from trustctl.archive.store import BackupStore
from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.audit.records_reader import RecordsReader
from trustctl.aws import client
from trustctl.records import Record, open_store
from trustctl.report.results import Status
from trustctl.sandbox.account import tls_only_policy


@pytest.fixture(scope="module", autouse=True)
def writable_backup_bucket(aws, account):
    """moto applies the TLS-only Deny without its condition: lift it to write manifests."""
    s3 = client("s3", aws)
    s3.delete_bucket_policy(Bucket=account.backup_bucket)
    yield
    s3.put_bucket_policy(Bucket=account.backup_bucket,
                         Policy=tls_only_policy(account.backup_bucket))


@pytest.fixture
def records(aws, account, tmp_path):
    readers = []

    def make(prefix="none", evidence=tmp_path):
        aws_reader = AwsReader(AwsSettings(region=aws.region, endpoint_url=aws.endpoint_url))
        readers.append(aws_reader)
        return RecordsReader([aws_reader], open_store(evidence), prefix, rpo_hours=24)

    yield make
    for reader in readers:
        reader.close()


def _backup(aws, bucket, prefix, hours_ago):
    finished = datetime.now(UTC) - timedelta(hours=hours_ago)
    manifest = Manifest(
        backup_id=finished.strftime("%Y%m%dT%H%M%SZ"), source="postgresql://db/claver",
        started_at=finished.isoformat(), finished_at=finished.isoformat(),
        object_key=f"{prefix}/x/dump.enc", object_version=None, object_bytes=1,
        object_sha256="0" * 64, dump_bytes=1, kms_key_id="k", wrapped_data_key="",
        encryption_context={}, compression="zstd", dump_format="custom", tool_version="0",
        pg_dump_version="18", server_version="18")
    BackupStore(client("s3", aws), bucket, prefix).put_manifest(manifest, None)
    return manifest


def _drill(evidence, days_ago, status="pass", rto_met=True):
    finished = datetime.now(UTC) - timedelta(days=days_ago)
    started = finished - timedelta(minutes=5)
    facts = drill_facts(started, finished, status=status,
                        rto_seconds=12.5 if rto_met else 20000.0)
    open_store(evidence).write(Record.new(
        facts, started, finished, targets={},
        controls=[{"id": "RESTORE-DRILL", "status": status, "findings": []}]))


def test_fresh_backup_passes_rpo(aws, account, records):
    manifest = _backup(aws, account.backup_bucket, "fresh", hours_ago=2)
    outcome = check_by_id("AUD_REC_1").run(records("fresh"))
    assert outcome.status == Status.PASS
    assert outcome.facts[account.backup_bucket]["backup_id"] == manifest.backup_id


def test_stale_backup_fails_rpo(aws, account, records):
    _backup(aws, account.backup_bucket, "stale", hours_ago=30)
    found = messages(check_by_id("AUD_REC_1").run(records("stale")))
    assert len(found) == 1 and "h old: RPO of 24 h exceeded" in found[0]


def test_no_backup_fails_rpo(account, records):
    assert messages(check_by_id("AUD_REC_1").run(records("empty"))) == [
        f"{account.backup_bucket}: holds no complete backup"]


def test_recent_passing_drill_passes(records, tmp_path):
    _drill(tmp_path, days_ago=100)
    _drill(tmp_path, days_ago=10)
    _drill(tmp_path, days_ago=1, status="fail")
    outcome = check_by_id("AUD_REC_2").run(records())
    assert outcome.status == Status.PASS
    assert outcome.facts["newest_passing"]["age_days"] == pytest.approx(10, abs=0.1)


def test_old_or_missing_drill_fails(records, tmp_path):
    assert check_by_id("AUD_REC_2").run(records()).status == Status.FAIL
    _drill(tmp_path, days_ago=100)
    found = messages(check_by_id("AUD_REC_2").run(records()))
    assert len(found) == 1 and "days old (over 92)" in found[0]


def test_rto_measured_by_the_newest_drill(records, tmp_path):
    _drill(tmp_path, days_ago=5)
    assert check_by_id("AUD_REC_3").run(records()).status == Status.PASS
    _drill(tmp_path, days_ago=1, status="fail", rto_met=False)
    found = messages(check_by_id("AUD_REC_3").run(records()))
    assert len(found) == 1 and "restore took 20000 s, over the objective of 14400 s" in found[0]


def test_unreadable_drill_record_is_error(records, tmp_path):
    (tmp_path / "drill-broken.json").write_text("{not json")
    outcome = check_by_id("AUD_REC_2").run(records())
    assert outcome.status == Status.ERROR
    assert any("not JSON" in u for u in outcome.unreadable)


def test_altered_drill_record_is_error_never_pass(records, tmp_path):
    _drill(tmp_path, days_ago=1, status="fail")
    [path] = tmp_path.glob("drill-*.json")  # a failed drill edited to read as a pass
    path.write_text(path.read_text().replace('"status": "fail"', '"status": "pass"'))
    outcome = check_by_id("AUD_REC_2").run(records())
    assert outcome.status == Status.ERROR
    assert any("altered record" in u for u in outcome.unreadable)
