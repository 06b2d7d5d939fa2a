"""The recovery region's live checks against moto over HTTP: the newest backup is replicated
(AUD_REC_4), the replica's newest backup is within the RPO (AUD_REC_5), the replica's key is
enabled (AUD_AWS_25). Each test writes under its own key prefix, so tests do not see each other's
backups in the shared account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.audit.conftest import check_by_id, messages
from trustctl.archive.manifest import Manifest
from trustctl.archive.store import BackupStore
from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.audit.records_reader import RecordsReader
from trustctl.aws import AwsTarget, client
from trustctl.records import open_store
from trustctl.report.results import Status
from trustctl.sandbox.account import tls_only_policy


@pytest.fixture(scope="module", autouse=True)
def writable_buckets(aws, account, recovery):
    """moto applies the TLS-only Deny without its condition: lift it to write backups."""
    s3 = client("s3", aws)
    buckets = (account.backup_bucket, recovery.bucket)
    for bucket in buckets:
        s3.delete_bucket_policy(Bucket=bucket)
    yield
    for bucket in buckets:
        s3.put_bucket_policy(Bucket=bucket, Policy=tls_only_policy(bucket))


@pytest.fixture
def records(aws, tmp_path):
    readers = []

    def make(prefix):
        aws_reader = AwsReader(AwsSettings(region=aws.region, endpoint_url=aws.endpoint_url))
        readers.append(aws_reader)
        return RecordsReader([aws_reader], open_store(tmp_path), prefix, rpo_hours=24)

    yield make
    for reader in readers:
        reader.close()


def _backup(aws: AwsTarget, bucket: str, prefix: str, hours_ago: float = 1,
            size: int = 3) -> Manifest:
    """A complete backup as the store lays it out: the dump, then its manifest."""
    finished = datetime.now(UTC) - timedelta(hours=hours_ago)
    backup_id = finished.strftime("%Y%m%dT%H%M%SZ")
    store = BackupStore(client("s3", aws), bucket, prefix)
    manifest = Manifest(
        backup_id=backup_id, source="postgresql://db/claver", started_at=finished.isoformat(),
        finished_at=finished.isoformat(), object_key=store.object_key(backup_id),
        object_version=None, object_bytes=size, object_sha256="0" * 64, dump_bytes=1,
        kms_key_id="k", wrapped_data_key="", encryption_context={}, compression="zstd",
        dump_format="custom", tool_version="0", pg_dump_version="18", server_version="18")
    store.s3.put_object(Bucket=bucket, Key=manifest.object_key, Body=b"x" * size)
    store.put_manifest(manifest, None)
    return manifest


def _copy(aws: AwsTarget, bucket: str, manifest: Manifest, size: int | None = None) -> None:
    """The copy S3 replication would make in the replica bucket (`size` to damage it)."""
    prefix = manifest.object_key.split("/", 1)[0]
    _backup(aws, bucket, prefix, size=size or manifest.object_bytes,
            hours_ago=(datetime.now(UTC) - manifest.finished).total_seconds() / 3600)


def test_a_replicated_newest_backup_passes(aws, account, recovery, records):
    manifest = _backup(aws, account.backup_bucket, "replicated")
    _copy(aws, recovery.bucket, manifest)
    outcome = check_by_id("AUD_REC_4").run(records("replicated"))
    assert outcome.status == Status.PASS, outcome.findings
    assert outcome.facts[account.backup_bucket]["copies"] == {recovery.bucket: True}


def test_a_newest_backup_missing_from_the_replica_fails(aws, account, recovery, records):
    older = _backup(aws, account.backup_bucket, "lagging", hours_ago=25)
    _copy(aws, recovery.bucket, older)
    newest = _backup(aws, account.backup_bucket, "lagging")
    assert messages(check_by_id("AUD_REC_4").run(records("lagging"))) == [
        f"{account.backup_bucket}: newest backup {newest.backup_id} is not in "
        f"{recovery.bucket} (no dump of the same size with its manifest there)"]


def test_a_copy_of_another_size_is_not_a_copy(aws, account, recovery, records):
    manifest = _backup(aws, account.backup_bucket, "truncated", size=5)
    _copy(aws, recovery.bucket, manifest, size=2)
    outcome = check_by_id("AUD_REC_4").run(records("truncated"))
    assert outcome.status == Status.FAIL
    assert outcome.facts[account.backup_bucket]["copies"] == {recovery.bucket: False}


def test_a_fresh_replica_passes_the_rpo(aws, recovery, records):
    manifest = _backup(aws, recovery.bucket, "fresh-replica", hours_ago=2)
    outcome = check_by_id("AUD_REC_5").run(records("fresh-replica"))
    assert outcome.status == Status.PASS
    assert outcome.facts[recovery.bucket]["backup_id"] == manifest.backup_id


def test_a_stale_or_empty_replica_fails_the_rpo(aws, recovery, records):
    _backup(aws, recovery.bucket, "stale-replica", hours_ago=30)
    found = messages(check_by_id("AUD_REC_5").run(records("stale-replica")))
    assert len(found) == 1 and "h old: RPO of 24 h exceeded" in found[0]
    assert messages(check_by_id("AUD_REC_5").run(records("empty-replica"))) == [
        f"{recovery.bucket}: holds no complete backup"]


def test_the_replica_key_enabled_passes_and_disabled_fails(aws, recovery, run_check, undo):
    passed = run_check("AUD_AWS_25")
    assert passed.status == Status.PASS
    assert passed.facts[recovery.bucket]["state"] == "Enabled"
    kms = client("kms", AwsTarget(recovery.region, aws.endpoint_url))
    key_id = recovery.stand_in_key_arn.rsplit("/", 1)[1]  # moto's DisableKey fails on an ARN
    kms.disable_key(KeyId=key_id)
    undo.append(lambda: kms.enable_key(KeyId=key_id))
    assert messages(run_check("AUD_AWS_25")) == [
        f"{recovery.bucket}: its key {recovery.stand_in_key_arn} is Disabled: the copies "
        "cannot be decrypted in the recovery region"]


def test_no_replica_bucket_fails_both(aws, account, recovery, records, run_check, undo):
    s3 = client("s3", aws)
    tags = s3.get_bucket_tagging(Bucket=recovery.bucket)["TagSet"]
    s3.put_bucket_tagging(Bucket=recovery.bucket, Tagging={"TagSet": [
        {"Key": "trustctl:role", "Value": "something-else"}]})
    undo.append(lambda: s3.put_bucket_tagging(Bucket=recovery.bucket,
                                              Tagging={"TagSet": tags}))
    _backup(aws, account.backup_bucket, "no-replica")
    assert messages(check_by_id("AUD_REC_4").run(records("no-replica"))) == [
        f"{account.backup_bucket}: no replica bucket (trustctl:role=backup-replica) in the "
        "recovery region"]
    assert messages(run_check("AUD_AWS_25")) == [
        "None: no bucket has trustctl:role=backup-replica (tagged, or inferred: the replication "
        "destination of the backup bucket)"]


def test_a_replica_under_another_accounts_key_fails_encryption(aws, recovery, run_check, undo):
    s3 = client("s3", aws)
    before = s3.get_bucket_encryption(Bucket=recovery.bucket)["ServerSideEncryptionConfiguration"]
    foreign = recovery.stand_in_key_arn.replace(":123456789012:", ":210987654321:")
    s3.put_bucket_encryption(Bucket=recovery.bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                          "KMSMasterKeyID": foreign}}]})
    undo.append(lambda: s3.put_bucket_encryption(Bucket=recovery.bucket,
                                                 ServerSideEncryptionConfiguration=before))
    assert messages(run_check("AUD_AWS_2")) == [
        f"{recovery.bucket}: SSE-KMS key {foreign} is not a customer-managed key of this account"]
