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
from trustctl.aws import AwsTarget
from trustctl.backup.run import BackupTarget
from trustctl.dsn import Dsn
from trustctl.pg.server import LocalPostgres, pg_tool
from trustctl.sandbox.seed import DATABASE, seed

REGION = "eu-west-2"
BUCKET = "bench-backups"
MOTO_START_SECONDS = 60


@dataclass
class Bench:
    """A seeded source server, a moto server with a locked bucket and a key, a work dir."""

    pg: LocalPostgres
    moto: MotoProcess
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
        moto = MotoProcess(work / "moto.url")
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


class MotoProcess:
    """moto in a process of its own, as the sandbox runs it: S3 is not in the backup's process
    (an in-process moto would take the GIL from the backup for every part it parses)."""

    def __init__(self, url_file: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "trustctl.sandbox.moto",
                                         str(url_file)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + MOTO_START_SECONDS
        while not url_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("moto did not start")
            time.sleep(0.05)
        self.url = url_file.read_text()

    def target(self, region: str) -> AwsTarget:
        return AwsTarget(region=region, endpoint_url=self.url)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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
