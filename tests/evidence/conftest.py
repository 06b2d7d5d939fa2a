"""A simulated quarter on disk, and its evidence report built through the CLI, signed by KMS."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.helpers import Built, build
from trustctl.aws import AwsTarget, client


@pytest.fixture
def signing_key(aws: AwsTarget, monkeypatch: pytest.MonkeyPatch) -> str:
    """An asymmetric SIGN_VERIFY key in moto, reached as production would (AWS_ENDPOINT_URL)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("AWS_REGION", aws.region)
    return client("kms", aws).create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")[
        "KeyMetadata"]["KeyId"]


@pytest.fixture
def bucket(aws: AwsTarget, monkeypatch: pytest.MonkeyPatch) -> str:
    """An evidence bucket with Object Lock in moto, reached through AWS_ENDPOINT_URL."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("AWS_REGION", aws.region)
    client("s3", aws).create_bucket(Bucket="claver-evidence", ObjectLockEnabledForBucket=True,
                                    CreateBucketConfiguration={"LocationConstraint": aws.region})
    return "claver-evidence"


@pytest.fixture
def quarter(tmp_path: Path, signing_key: str) -> Built:
    built = build(tmp_path, key_id=signing_key)
    assert built.code == 1, built.stderr  # the quarter has gaps
    return built
