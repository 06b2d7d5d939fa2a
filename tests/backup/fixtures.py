"""Fixtures shared by the backup and drill tests: a seeded source database, a backup bucket.

The source is the sandbox's real multi-tenant schema (RLS enabled and forced, app role
claver_app) seeded small; the bucket and the backup KMS key live on the session's moto server.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from trustctl import aws
from trustctl.archive.authenticity import seal
from trustctl.archive.envelope import DataKey
from trustctl.archive.location import Location
from trustctl.archive.manifest import Manifest
from trustctl.backup import run as backup_run
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.drill import run as drill_run
from trustctl.drill.scratch import LocalScratch
from trustctl.dsn import Dsn
from trustctl.pg.server import LocalPostgres
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

    def database(self, raw: str | None = None) -> Dsn:
        """The source (or the DSN `raw` on it) as the value object the code takes."""
        return Dsn.parse(raw or self.dsn, "the test source")


@dataclass
class SecretSpy:
    """Every secret a drill test could leak: the source's passwords, and (captured as the real
    code makes them) each backup's plaintext data key and each scratch server's password."""

    source: Source
    data_keys: list[bytes] = field(default_factory=list)
    scratch_passwords: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        keys = [form for key in self.data_keys
                for form in (base64.b64encode(key).decode(), key.hex(), repr(key)[2:-1])]
        return [self.source.pg.state()["password"], self.source.app_password,
                *self.scratch_passwords, *keys]

    def assert_absent(self, *outputs: str) -> None:
        everything = "\n".join(outputs)
        leaked = [i for i, secret in enumerate(self.texts()) if secret in everything]
        assert not leaked, f"secrets #{leaked} leaked"


@pytest.fixture
def spy(source: Source, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretSpy]:
    """Records the secrets the real code makes, so tests can prove none of them leaks:
    each backup's data key (unwrapped again through KMS) and each scratch server's password."""
    seen = SecretSpy(source)
    make_key = backup_run.new_data_key

    def new_data_key(kms, key_id: str, context: dict[str, str]):
        made = make_key(kms, key_id, context)
        plain = kms.decrypt(CiphertextBlob=made[1], EncryptionContext=context)["Plaintext"]
        seen.data_keys.append(plain)
        return made

    class SpiedScratch(LocalScratch):
        def __init__(self, parent: Path | None = None) -> None:
            super().__init__(parent)
            seen.scratch_passwords.append(self.server.state()["password"])

    monkeypatch.setattr(backup_run, "new_data_key", new_data_key)
    monkeypatch.setattr(drill_run, "LocalScratch", SpiedScratch)
    yield seen


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
    return back_up(source.database(), where)


def back_up(database: Dsn, where: Location) -> Manifest:
    target = BackupTarget(where.store(), where.kms(), where.kms_key_id)
    return run_backup(database, target, quiet=True)


def database_made_by(pg: LocalPostgres, name: str, script: str) -> Dsn:
    """A new database `name` on `pg`, made by the SQL `script` (its schema and rows)."""
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        conn.execute(script)
    return Dsn.parse(pg.dsn(name), "the test source")


def reseal(where: Location, manifest: Manifest, **changes) -> Manifest:
    """What only a backup's writer can do, holding KMS rights: change a manifest and seal it
    again under the backup's own data key (re-wrapped when its id, object or start time
    changes), then store it at its id. Tests make authentic manifests with it that production
    could have written: an extension the scratch server lacks, a writer whose clock is wrong."""
    kms = where.kms()
    context = manifest.expected_context()
    plain = kms.decrypt(CiphertextBlob=manifest.wrapped_key_bytes,
                        EncryptionContext=context)["Plaintext"]
    for name, value in changes.items():
        setattr(manifest, name, value)
    vars(manifest).pop("_stored", None)  # the fields as they are now, not as they were read
    if manifest.expected_context() != context:
        manifest.encryption_context = manifest.expected_context()
        manifest.wrapped_data_key = base64.b64encode(kms.encrypt(
            KeyId=manifest.kms_key_id, Plaintext=plain,
            EncryptionContext=manifest.encryption_context)["CiphertextBlob"]).decode()
    manifest.authentication = None
    with DataKey(plain) as key:
        seal(manifest, key)
    store = where.store()
    store.s3.put_object(Bucket=where.bucket, Key=store.manifest_key(manifest.backup_id),
                        Body=manifest.to_bytes())
    return manifest
