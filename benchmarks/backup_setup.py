"""Shared set-up of the backup and drill benchmarks: a seeded server, moto, a backup target.

Not a benchmark itself: backup_speed.py and drill_speed.py import it.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from trustctl import aws
from trustctl.archive.location import Location
from trustctl.backup.run import BackupTarget
from trustctl.dsn import Dsn
from trustctl.pg.server import LocalPostgres, pg_tool
from trustctl.sandbox.moto import MotoServer
from trustctl.sandbox.seed import DATABASE, seed

REGION = "eu-west-2"
BUCKET = "bench-backups"


@dataclass
class Bench:
    """A seeded source server, a moto server with a locked bucket and a key, a work dir."""

    pg: LocalPostgres
    moto: MotoServer
    where: Location
    work: Path

    @property
    def url(self) -> str:
        """The source's libpq URI, password included: only for a child's environment."""
        return self.pg.dsn(DATABASE)

    @property
    def dsn(self) -> Dsn:
        return Dsn.parse(self.url, "the benchmark database")

    def target(self) -> BackupTarget:
        return BackupTarget(self.where.store(), self.where.kms(), self.where.kms_key_id)

    def database_mb(self) -> float:
        out = self.psql("SELECT pg_database_size(current_database())")
        return int(out) / 2**20

    def psql(self, query: str) -> str:
        dsn = self.dsn
        return subprocess.run([str(pg_tool("psql")), "-At", "-c", query, dsn.conninfo()],
                              env=dsn.child_env(),
                              check=True, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def bench(size_mb: int) -> Iterator[Bench]:
    with tempfile.TemporaryDirectory(prefix="trustctl-bench-") as tmp:
        work = Path(tmp)
        pg = LocalPostgres.start(work / "source")
        moto = MotoServer()
        try:
            say(f"seeding about {size_mb} MB")
            seed(pg, size_mb, lambda _m: None)
            target = moto.target(REGION)
            bucket = f"{BUCKET}-{size_mb}-{secrets.token_hex(3)}"  # one moto may serve two runs
            aws.client("s3", target).create_bucket(
                Bucket=bucket, ObjectLockEnabledForBucket=True,
                CreateBucketConfiguration={"LocationConstraint": REGION})
            key = aws.client("kms", target).create_key()["KeyMetadata"]["Arn"]
            yield Bench(pg, moto, Location(target, bucket, "backups", key), work)
        finally:
            moto.stop()
            pg.destroy()


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def shell(command: str, dsn: Dsn) -> None:
    """Runs a shell pipeline with the DSN's password in PGPASSWORD and $DSN without it."""
    subprocess.run(["bash", "-o", "pipefail", "-c", command],
                   env={**dsn.child_env(), "DSN": dsn.conninfo()}, check=True)


def say(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)
