"""Benchmark: `trustctl backup run` against a bare pg_dump of the same database, and its memory.

    uv run python benchmarks/backup_speed.py --size-mb 1024

Baselines, measured in the same run on the same server:
- same compression: `pg_dump -Fc -Z0 | zstd -3 > file` (what trustctl does, minus the snapshot
  counts and checksums, the encryption and the upload); the embedded pg_dump has no zstd;
- reference: a plain `pg_dump -Fc > file` (its default gzip compression).
trustctl is timed twice: uploading to moto (a local S3 stand-in sharing the 2 cores and
this process), and with a store that discards the parts (what trustctl itself adds: snapshot
counts and checksums, zstd, AES-GCM, SHA-256 and multipart framing; S3 excluded).
Each stage is then timed alone, one after the other, on the same data, so the next person sees
where the time goes: dump (`pg_dump -Fc -Z0` to a file), compress (trustctl's zstd of that
file), encrypt+hash (the envelope and its SHA-256), upload (the envelope to moto, which runs in
a process of its own) and the snapshot's counts+checksums scan. trustctl runs them overlapped.
The baseline and both trustctl runs are interleaved --rounds times; the fastest of each counts.
CPU seconds per process of the baseline and of the run into moto (this process, i.e. trustctl's
threads; its children, pg_dump and zstd; the source server's processes; moto) hold still on a
loaded machine where wall time does not; their sum over the 2 cores is a floor for the wall time.
Peak memory (max RSS of the `trustctl backup run` process) at --size-mb and at a quarter of it.
Aim: backup <= 1.05x the same-compression baseline with the parts dropped, <= 1.15x into S3;
peak memory < 256 MB and flat.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import psutil
import psycopg
from backup_setup import Bench, bench, say, shell, timed

from trustctl.archive import inventory
from trustctl.archive.envelope import DataKey, Header, encrypt
from trustctl.archive.formats import READ_SIZE
from trustctl.archive.store import BackupStore
from trustctl.backup.run import BackupTarget, compress, run_backup
from trustctl.options import DEFAULT_DSN_ENV
from trustctl.pg.server import pg_tool


def baseline(b: Bench, command: str, out: Path) -> float:
    seconds, _ = timed(shell, command.format(pg_dump=pg_tool("pg_dump"), out=out), b.dsn)
    return seconds


class DiscardingS3:
    """An S3 client that accepts and drops every part: isolates trustctl's own cost."""

    def get_object_lock_configuration(self, **_kwargs: object) -> dict:
        return {}

    def create_multipart_upload(self, **_kwargs: object) -> dict:
        return {"UploadId": "discarded"}

    def upload_part(self, **_kwargs: object) -> dict:
        return {"ETag": "discarded", "ChecksumCRC32": "discarded"}

    def complete_multipart_upload(self, **_kwargs: object) -> dict:
        return {}

    def abort_multipart_upload(self, **_kwargs: object) -> None:
        return None

    def put_object(self, **_kwargs: object) -> None:
        return None


class CpuMeter:
    """CPU seconds used by this process, its children, the source server and moto."""

    def __init__(self, b: Bench) -> None:
        pid = int((b.pg.data_dir / "postmaster.pid").read_text().split()[0])
        self.postmaster = psutil.Process(pid)
        self.moto = psutil.Process(b.moto.process.pid)

    def run(self, fn, *args, **kwargs) -> tuple[float, object, dict[str, float]]:
        """Wall seconds, result and CPU seconds per process of `fn(*args, **kwargs)`."""
        before = self._read()
        seconds, result = timed(fn, *args, **kwargs)
        time.sleep(0.2)  # lets the server reap its backends into its children's times
        return seconds, result, {name: used - before[name]
                                 for name, used in self._read().items()}

    def _read(self) -> dict[str, float]:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        server = self.postmaster.cpu_times()
        backends = [_own_cpu(p) for p in self.postmaster.children()]
        return {"trustctl": me.ru_utime + me.ru_stime, "children": kids.ru_utime + kids.ru_stime,
                "postgres": server.user + server.system + server.children_user
                + server.children_system + sum(backends),
                "moto": _own_cpu(self.moto)}


def _own_cpu(process: psutil.Process) -> float:
    with contextlib.suppress(psutil.Error):
        times = process.cpu_times()
        return times.user + times.system
    return 0.0  # a backend that ended meanwhile is in the server's children's times


def peak_rss_mb(b: Bench) -> float:
    """Max RSS of a `trustctl backup run` child process (its own, not pg_dump's), sampled.

    Sampled rather than taken from wait4: a forked child's ru_maxrss counts the parent's pages
    it shares before exec, and this parent holds moto's copy of every object.
    """
    where = b.where
    command = [sys.executable, "-c", "from trustctl.cli import app; app()", "backup", "run",
               "--bucket", where.bucket, "--region", where.target.region,
               "--endpoint-url", where.target.endpoint_url, "--kms-key", where.kms_key_id]
    process = subprocess.Popen(command, env={**os.environ, DEFAULT_DSN_ENV: b.url},
                               stdout=subprocess.DEVNULL)
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, watched.memory_info().rss)
        time.sleep(0.02)
    if process.returncode != 0:
        raise SystemExit("backup run failed")
    return peak / 2**20


def stage_seconds(b: Bench) -> dict[str, float]:
    """Each stage of the backup alone, in order, each reading the previous one's file."""
    dump, compressed, sealed = b.work / "stage.dump", b.work / "stage.zst", b.work / "stage.enc"
    seconds = {"dump": baseline(b, "{pg_dump} -Fc -Z0 -d \"$DSN\" -f {out}", dump)}
    seconds["compress"], _ = timed(_write, compressed, compress(_read(dump)))
    header = Header.new("arn:bench", b"wrapped", {"bench": "stages"})
    with DataKey(os.urandom(32)) as key:
        seconds["encrypt+hash"], _ = timed(_write, sealed, _hashed(encrypt(_read(compressed),
                                                                           header, key)))
    store = b.where.store()
    seconds["upload"], _ = timed(store.upload, f"stages/{b.work.name}", _read(sealed), None)
    with psycopg.connect(**b.dsn.libpq_params()) as conn:
        seconds["scan"], _ = timed(inventory.all_table_stats, conn)
    return seconds


def _read(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        yield from iter(lambda: source.read(READ_SIZE), b"")


def _write(path: Path, chunks: Iterable[bytes]) -> None:
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)


def _hashed(chunks: Iterable[bytes]) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


def _fastest(runs: list[tuple[float, object, dict[str, float]]]) -> tuple:
    return min(runs, key=lambda run: run[0])


def measure(size_mb: int, rounds: int, stages: bool = True) -> dict:
    """Baseline, trustctl with the parts dropped and trustctl into moto, interleaved `rounds`
    times; the fastest of each (a shared machine's load only ever adds time)."""
    with bench(size_mb) as b:
        db_mb = b.database_mb()
        say(f"database {db_mb:.0f} MB; running baselines and trustctl backup run, "
            f"{rounds} round(s)")
        gzip = baseline(b, "{pg_dump} -Fc -d \"$DSN\" > {out}", b.work / "b")
        discarding = BackupTarget(BackupStore(DiscardingS3(), "discarded"), b.where.kms(),
                                  b.where.kms_key_id)
        meter = CpuMeter(b)
        same, pipeline, into_s3 = [], [], []
        for _ in range(rounds):
            same.append(meter.run(baseline, b, "{pg_dump} -Fc -Z0 -d \"$DSN\" | zstd -q -3 > {out}",
                                  b.work / "a"))
            pipeline.append(timed(run_backup, b.dsn, discarding, quiet=True)[0])
            into_s3.append(meter.run(run_backup, b.dsn, b.target(), quiet=True))
        manifest = into_s3[-1][1]
        rss = peak_rss_mb(b)
        (same_s, _, same_cpu), (s3_s, _, s3_cpu) = _fastest(same), _fastest(into_s3)
        same_cpu = {"pg_dump | zstd": same_cpu["children"], "postgres": same_cpu["postgres"]}
        s3_cpu["pg_dump"] = s3_cpu.pop("children")
        return {"db_mb": db_mb, "same": same_s, "gzip": gzip, "trustctl": s3_s,
                "cpu": {"same": same_cpu, "trustctl": s3_cpu},
                "rss": rss, "pipeline": min(pipeline), "stages": stage_seconds(b) if stages else {},
                "dump_mb": manifest.dump_bytes / 2**20,
                "stored_mb": manifest.object_bytes / 2**20,
                "zstd_file_mb": (b.work / "a").stat().st_size / 2**20,
                "gzip_file_mb": (b.work / "b").stat().st_size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved runs of each; the fastest of each is compared")
    args = parser.parse_args()
    large = measure(args.size_mb, args.rounds)
    small = measure(max(args.size_mb // 4, 4), 1, stages=False)
    print(f"database: {large['db_mb']:.0f} MB (and {small['db_mb']:.0f} MB for memory)")
    print(f"fastest of {args.rounds} interleaved round(s) each:")
    print(f"pg_dump -Fc -Z0 | zstd -3 > file : {large['same']:8.2f} s "
          f"({large['zstd_file_mb']:.0f} MB)")
    print(f"pg_dump -Fc (gzip) > file        : {large['gzip']:8.2f} s "
          f"({large['gzip_file_mb']:.0f} MB)")
    print(f"trustctl backup run (to moto S3)  : {large['trustctl']:8.2f} s "
          f"({large['stored_mb']:.0f} MB stored)")
    print(f"trustctl backup run, parts dropped: {large['pipeline']:8.2f} s")
    print(f"each stage alone ({large['dump_mb']:.0f} MB dump; trustctl overlaps them):")
    for name, took in large["stages"].items():
        print(f"  {name:<31}: {took:8.2f} s")
    print(f"  {'sum of the stages':<31}: {sum(large['stages'].values()):8.2f} s")
    print("CPU seconds per process (fastest round of each; the sum over 2 cores is a floor):")
    for label, used in (("same compression", large["cpu"]["same"]),
                        ("trustctl into moto S3", large["cpu"]["trustctl"])):
        names = ", ".join(f"{name} {seconds:.2f}" for name, seconds in used.items())
        print(f"  {label:<31}: {names}; total {sum(used.values()):.2f}")
    print(f"ratio vs same compression        : {large['pipeline'] / large['same']:.2f}x "
          f"parts dropped (aim <= 1.05x), {large['trustctl'] / large['same']:.2f}x into moto S3 "
          "(aim <= 1.15x)")
    print(f"ratio vs pg_dump -Fc (gzip)      : {large['trustctl'] / large['gzip']:.2f}x")
    print(f"peak RSS of backup run           : {small['rss']:.0f} MB at {small['db_mb']:.0f} MB, "
          f"{large['rss']:.0f} MB at {large['db_mb']:.0f} MB (aim < 256 MB, flat)")
    print(f"(this process's own peak RSS, moto included: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
