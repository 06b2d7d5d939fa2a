"""Several accounts: each audited through an assumed role (moto keeps one backend per account),
findings named by account, and --shard K/N splitting the accounts between machines."""

from __future__ import annotations

import json

import boto3
import pytest
from typer.testing import CliRunner

from tests.audit.conftest import check_by_id
from trustctl.audit.accounts import parse_shard, shard
from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.audit.run import merge
from trustctl.aws import LOCAL_CREDENTIALS
from trustctl.cli import app
from trustctl.errors import InputError

HOME = "arn:aws:iam::123456789012:role/trustctl-audit"  # the compliant account of conftest
OTHER = "arn:aws:iam::222222222222:role/trustctl-audit"


@pytest.fixture(scope="module")
def other_account(aws, account):
    """A second account holding one bucket without a customer key."""
    sts = boto3.client("sts", region_name=aws.region, endpoint_url=aws.endpoint_url,
                       **LOCAL_CREDENTIALS)
    creds = sts.assume_role(RoleArn=OTHER, RoleSessionName="setup")["Credentials"]
    s3 = boto3.client("s3", region_name=aws.region, endpoint_url=aws.endpoint_url,
                      aws_access_key_id=creds["AccessKeyId"],
                      aws_secret_access_key=creds["SecretAccessKey"],
                      aws_session_token=creds["SessionToken"])
    s3.create_bucket(Bucket="other-account-files",
                     CreateBucketConfiguration={"LocationConstraint": aws.region})
    s3.put_bucket_encryption(Bucket="other-account-files", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    return "other-account-files"


def test_findings_name_the_account(aws, other_account):
    settings = AwsSettings(region=aws.region, endpoint_url=aws.endpoint_url)
    readers = [AwsReader(settings.with_role(arn)) for arn in (HOME, OTHER)]
    try:
        check = check_by_id("AUD_AWS_2")
        outcome = merge(check.id, [(r.label, check.run(r)) for r in readers])
    finally:
        for reader in readers:
            reader.close()
    assert [(f.resource, f.message) for f in outcome.findings] == [
        ("222222222222: other-account-files", "default encryption is AES256, not SSE-KMS")]
    assert set(outcome.facts) == {"123456789012", "222222222222"}


def test_shards_are_disjoint_and_cover_every_account():
    roles = [f"arn:aws:iam::{i:012d}:role/a" for i in range(7)]
    slices = [shard(roles, (k, 3)) for k in (1, 2, 3)]
    every = [role for part in slices for role in part]
    assert sorted(every) == roles and len(set(every)) == 7
    assert parse_shard(None) is None
    with pytest.raises(InputError):
        parse_shard("4/3")


def test_cli_audits_this_shard_only(aws, other_account, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    result = CliRunner().invoke(app, [
        "audit", "--region", aws.region, "--role-arn", HOME, "--role-arn", OTHER,
        "--shard", "2/2", "--skip", "cloudflare", "--skip", "site", "--skip", "database",
        "--skip", "supabase", "--skip", "records", "--skip", "access",
        "--evidence-dir", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1, result.output  # the other account's bucket fails
    doc = json.loads(result.stdout)
    enc = next(c for c in doc["controls"] if c["id"] == "ENC-AT-REST")
    assert {f["resource"].split(":")[0] for f in enc["findings"]} == {"222222222222"}
    record = json.loads(next(tmp_path.glob("audit-*.json")).read_text())
    assert record["targets"]["accounts"] == {"shard": [2, 2], "accounts_total": 2,
                                             "role_arns": [OTHER]}
