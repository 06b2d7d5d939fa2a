"""AWS Backup checks moto cannot serve (selections, recovery points, restore testing): boto3
reaches a local AWS Backup endpoint through AWS_ENDPOINT_URL_BACKUP, moto for the rest."""

from __future__ import annotations

import time

import pytest

from tests.audit.backup_fake import FakeBackup
from tests.audit.conftest import check_by_id, messages
from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.report.results import Status
from trustctl.sandbox.account import FILE_BUCKET, VAULT


@pytest.fixture
def backup(aws, account, monkeypatch):
    with FakeBackup(VAULT, account.backup_key_arn, FILE_BUCKET) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_BACKUP", fake.url)
        yield fake


def run(aws, check_id):
    reader = AwsReader(AwsSettings(region=aws.region))  # endpoints from the environment
    try:
        return check_by_id(check_id).run(reader)
    finally:
        reader.close()


@pytest.mark.parametrize("check_id", ["AUD_AWS_22", "AUD_AWS_23", "AUD_AWS_24", "AUD_AWS_4",
                                      "AUD_AWS_8", "AUD_AWS_9"])
def test_declared_backups_pass(aws, backup, check_id):
    outcome = run(aws, check_id)
    assert outcome.status == Status.PASS, (outcome.findings, outcome.unreadable)


def test_selection_missing_the_file_storage_fails(aws, backup):
    backup.selection["Resources"] = ["arn:aws:s3:::some-other-bucket"]
    assert messages(run(aws, "AUD_AWS_22")) == [f"{FILE_BUCKET}: no backup selection covers it"]


def test_unencrypted_and_stale_recovery_points_fail(aws, backup, account):
    backup.points[1].update(IsEncrypted=False, EncryptionKeyArn=None)
    assert messages(run(aws, "AUD_AWS_23")) == [
        f"{backup.points[1]['RecoveryPointArn']}: not encrypted with the backup key"]
    backup.points[0]["CreationDate"] = time.time() - 30 * 3600
    assert "newest recovery point is 27 h old: RPO of 24 h exceeded" in messages(
        run(aws, "AUD_AWS_23"))[-1]


def test_no_restore_testing_plan_fails(aws, backup):
    backup.restore_testing.clear()
    assert messages(run(aws, "AUD_AWS_24")) == ["None: no restore testing plan"]
