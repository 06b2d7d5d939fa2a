"""Benchmark: backup and drill at three sizes, the MB/s of each stage, and the projected RTO.

    uv run python benchmarks/rto_scale.py --sizes 64,512,2048

The page promises an RTO (policies/controls.yaml: 4 h). At each size a fresh server is seeded,
then backed up and drilled twice, both paths measured in the same run on the same data:
- stream: `backup run` (pg_dump -Fc, one stream) and a drill restoring with one pg_restore;
- parallel: `backup run --jobs N --dump-format directory` (pg_dump -Fd -j N, one object per
  table) and a drill restoring it with `pg_restore -j N` (N = the machine's cores).
Per stage it prints seconds and MB/s of database size. The RTO of a larger database is then
projected, with the formula printed, from the largest size measured:
    RTO(S) = F + S / R_restore [+ S / R_verify]
F = the drill's size-independent steps (scratch start, S3/KMS checks, RLS, teardown) in seconds,
R_restore = restore MB/s (download, decrypt, decompress, pg_restore). The counts+checksums check
runs inside the restore, while pg_restore builds keys and indexes (its seconds are printed
beside the restore's, and are in R_restore); only a drill that had to check after the restore
(a post-data that may write rows) adds S / R_verify, R_verify = MB/s of that check. Per added
core, the parallel path's restore rate is projected linearly from the measured gain of N cores
over one stream, R_restore(c) = R1 * (1 + e * (c - 1)), e = (R_N / R1 - 1) / (N - 1); a check
after the restore is held constant (not parallel here). A projection is not a measurement: disk
and memory bandwidth cap the gain long before many cores do.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

from backup_setup import Bench, bench, say, timed

from trustctl.backup.run import run_backup
from trustctl.catalog import page_figures
from trustctl.drill.run import DrillOptions, run_drill

RESTORE = "restore"
VERIFY = "verify-tables"
PROJECTED_GB = (10, 100)
PROJECTED_CORES = (1, 2, 4, 8)


@dataclass(frozen=True)
class PathRun:
    """One path (stream or parallel) at one size: its backup and its drill's steps."""

    backup: float
    steps: dict[str, float]
    db_mb: float
    dump_mb: float
    verify_inside_restore: float | None  # its checking during the restore's post-data, if so

    @property
    def r_verify(self) -> float | None:
        """MB/s of the check after the restore; None when it ran inside the restore."""
        return None if self.verify_inside_restore is not None else rate(self.db_mb,
                                                                         self.steps[VERIFY])

    @property
    def fixed(self) -> float:
        return sum(s for name, s in self.steps.items() if name not in (RESTORE, VERIFY))


def run_path(b: Bench, jobs: int) -> PathRun:
    dump_format = "directory" if jobs > 1 else "custom"
    backup, manifest = timed(run_backup, b.dsn, b.target(), quiet=True, jobs=jobs,
                             work_dir=b.work, dump_format=dump_format)
    facts = run_drill(b.where.store(), b.where.kms(),
                      DrillOptions(backup_id=manifest.backup_id, jobs=jobs, quiet=True,
                                   scratch_parent=b.work)).facts
    if facts.exit_code != 0:
        raise SystemExit(f"drill ({jobs} job(s)) did not pass: {facts.reason}")
    steps = {s.name: s.seconds or 0.0 for s in facts.steps}
    tables = next(s for s in facts.steps if s.name == VERIFY)
    inside = (tables.facts or {}).get("seconds_during_restore")
    return PathRun(backup, steps, b.database_mb(), manifest.dump_bytes / 2**20, inside)


def measure(size_mb: int, jobs: int) -> tuple[float, PathRun, PathRun]:
    with bench(size_mb) as b:
        db_mb = b.database_mb()
        say(f"database {db_mb:.0f} MB: stream path, then parallel path ({jobs} jobs)")
        return db_mb, run_path(b, 1), run_path(b, jobs)


def rate(mb: float, seconds: float) -> float:
    return mb / seconds if seconds > 0 else float("inf")


def print_size(db_mb: float, name: str, run: PathRun) -> None:
    verify = (f"tables checked inside the restore ({run.verify_inside_restore:.2f} s while "
              "pg_restore built keys and indexes)" if run.r_verify is None else
              f"tables checked after it {run.steps[VERIFY]:6.2f} s ({run.r_verify:6.1f} MB/s)")
    print(f"{db_mb:7.0f} MB {name:<9}: backup {run.backup:7.2f} s ({rate(db_mb, run.backup):6.1f} "
          f"MB/s), restore {run.steps[RESTORE]:7.2f} s ({rate(db_mb, run.steps[RESTORE]):6.1f} "
          f"MB/s), {verify}, other drill steps {run.fixed:5.2f} s; dump {run.dump_mb:.0f} MB")


def rto_hours(size_mb: float, fixed: float, r_restore: float, r_verify: float | None) -> float:
    after = size_mb / r_verify if r_verify is not None else 0.0
    return (fixed + size_mb / r_restore + after) / 3600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,512,2048", help="database sizes in MB")
    parser.add_argument("--jobs", type=int, default=max(os.cpu_count() or 1, 2),
                        help="parallel path: pg_dump/pg_restore jobs (default: the cores, >= 2)")
    args = parser.parse_args()
    if args.jobs < 2:
        parser.error("--jobs must be at least 2: the parallel path is what it measures")
    promise = page_figures().rto.total_seconds() / 3600
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"per stage, MB of database per second ({os.cpu_count()} cores, parallel path "
          f"-j {args.jobs}):", flush=True)
    for size in sizes:  # each size's lines as soon as it is measured: the largest take long
        db_mb, stream, parallel = measure(size, args.jobs)
        print_size(db_mb, "stream", stream)
        print_size(db_mb, "parallel", parallel)
        project(db_mb, stream, parallel, args.jobs, promise)


def project(db_mb: float, stream: PathRun, parallel: PathRun, jobs: int, promise: float) -> None:
    """The projected RTO at PROJECTED_GB from one size's measurements (the largest is the
    one to read)."""
    fixed = stream.fixed
    r1, rn = rate(db_mb, stream.steps[RESTORE]), rate(db_mb, parallel.steps[RESTORE])
    r_verify = stream.r_verify
    gain = max(rn / r1 - 1, 0.0) / (jobs - 1)  # a slower parallel path gains nothing
    verify = ("(the table checks run inside the restore: their time is in R_restore)"
              if r_verify is None
              else f"+ S / R_verify, R_verify = {r_verify:.1f} MB/s (checked after the restore)")
    print(f"projection from {db_mb:.0f} MB: RTO(S) = F + S / R_restore {verify}, "
          f"F = {fixed:.1f} s, R_restore = {r1:.1f} MB/s (one stream) or {rn:.1f} MB/s "
          f"(-j {jobs}); per added core R_restore(c) = R1 * (1 + {gain:.2f} * (c - 1))")
    for gb in PROJECTED_GB:
        size = gb * 1024
        stream_h = rto_hours(size, fixed, r1, r_verify)
        by_core = ", ".join(
            f"{c} cores {rto_hours(size, fixed, r1 * (1 + gain * (c - 1)), r_verify):.2f} h"
            for c in PROJECTED_CORES)
        print(f"projected RTO {gb:>3} GB: {stream_h:.2f} h one stream; parallel path {by_core} "
              f"(page promises {promise:g} h)", flush=True)

if __name__ == "__main__":
    main()
