"""Fixtures shared by the backup and drill tests: a seeded source database, a backup bucket.

The source is the sandbox's real multi-tenant schema (RLS enabled and forced, app role
claver_app) seeded small; the bucket and the backup KMS key live on the session's moto server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from trustctl import aws
from trustctl.backup.manifest import Manifest
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.backup.settings import Location
from trustctl.postgres import LocalPostgres
from trustctl.sandbox.seed import APP_ROLE, DATABASE, seed

SEED_MB = 2
BUCKET = "claver-backups"
LOCKED_BUCKET = "claver-backups-locked"


@dataclass(frozen=True)
class Source:
    """The seeded source server and the app role's password."""

    pg: LocalPostgres
    app_password: str

    @property
    def dsn(self) -> str:
        return self.pg.dsn(DATABASE)

    @property
    def app_dsn(self) -> str:
        return self.pg.dsn(DATABASE, APP_ROLE, self.app_password)


@pytest.fixture(scope="session")
def source(postgres_factory: Callable[[str], LocalPostgres]) -> Source:
    pg = postgres_factory("source")
    return Source(pg, seed(pg, SEED_MB, lambda _message: None))


def _make_location(target: aws.AwsTarget, bucket: str, locked: bool) -> Location:
    s3 = aws.client("s3", target)
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=locked,
                     CreateBucketConfiguration={"LocationConstraint": target.region})
    key = aws.client("kms", target).create_key(Description="backup key")["KeyMetadata"]
    return Location(target, bucket, "backups", key["Arn"])


@pytest.fixture
def location(aws: aws.AwsTarget) -> Location:
    """A plain bucket (no versioning): tests can damage objects in place."""
    return _make_location(aws, BUCKET, locked=False)


@pytest.fixture
def locked_location(aws: aws.AwsTarget) -> Location:
    """A bucket with Object Lock (and so versioning), as production has."""
    return _make_location(aws, LOCKED_BUCKET, locked=True)


def take_backup(source: Source, where: Location) -> Manifest:
    target = BackupTarget(where.store(), where.kms(), where.kms_key_id)
    return run_backup(source.dsn, target, quiet=True)
