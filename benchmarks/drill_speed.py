"""Benchmark: the drill's restore-and-verify against a bare pg_restore of the same dump.

    uv run python benchmarks/drill_speed.py --size-mb 1024 [--rounds 3]

Baseline, measured in the same run: the backup's plaintext dump written to a local file, then
`pg_restore -d` of that file into a fresh embedded server with the same roles (single job, like
the drill). The drill streams the object from S3 (moto), authenticates, decrypts and
decompresses it into pg_restore, then checks every table's count and checksum, RLS posture and
cross-tenant isolation (the counts and checksums while pg_restore builds the keys, indexes
and policies: that time is inside the restore step, shown on its own line). Aims:
restore+verify <= 1.05x the bare pg_restore; the whole drill (the S3/KMS checks, the scratch
server's start, which overlaps them, and the teardown included) <= 1.10x. Every step's time
is printed, so the next person sees where it goes.
"""

from __future__ import annotations

import argparse
import subprocess

from backup_setup import Bench, bench, say, timed

from trustctl.archive.manifest import Manifest
from trustctl.archive.reader import ReadProgress, read_dump
from trustctl.backup.run import run_backup
from trustctl.drill.run import DrillOptions, run_drill
from trustctl.drill.scratch import LocalScratch
from trustctl.pg.roles import RoleAllowlist
from trustctl.pg.tools import ToolProcess

RESTORE_AND_VERIFY = ("restore", "verify-tables", "verify-rls", "verify-isolation",
                      "verify-writes")


def bare_restore(b: Bench, manifest: Manifest) -> float:
    dump = b.work / "plain.dump"
    store, kms = b.where.store(), b.where.kms()
    with dump.open("wb") as out:
        for chunk in read_dump(store, kms, manifest, ReadProgress(manifest.object_key)):
            out.write(chunk)
    scratch = LocalScratch(b.work)
    try:
        scratch.prepare_roles(manifest.roles, RoleAllowlist.default())

        def restore() -> None:
            tool = ToolProcess("pg_restore", ["--exit-on-error", str(dump)], scratch.dsn,
                               stdin=subprocess.DEVNULL)
            if tool.wait() != 0:
                raise SystemExit(f"bare pg_restore failed: {tool.reason()}")

        seconds, _ = timed(restore)
        return seconds
    finally:
        scratch.destroy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=1,
                        help="drills, each between two bare restores; the fastest of each "
                             "counts (a shared machine's noise only ever adds time)")
    args = parser.parse_args()
    with bench(args.size_mb) as b:
        manifest = run_backup(b.dsn, b.target(), quiet=True)
        say(f"database {b.database_mb():.0f} MB, dump {manifest.dump_bytes / 2**20:.0f} MB")
        bare = [bare_restore(b, manifest)]
        drills = []
        for _ in range(args.rounds):
            drills.append(timed(run_drill, b.where.store(), b.where.kms(),
                                DrillOptions(quiet=True, scratch_parent=b.work)))
            bare.append(bare_restore(b, manifest))
    for _, record in drills:
        if record.facts.exit_code != 0:
            raise SystemExit(f"drill did not pass: {record.facts.reason}")
    baseline = min(bare)
    total, record = min(drills, key=lambda drill: drill[0])
    steps = {s.name: s.seconds for s in record.facts.steps}
    tables = next(s for s in record.facts.steps if s.name == "verify-tables")
    during = (tables.facts or {}).get("seconds_during_restore")
    drill = sum(steps[name] for name in RESTORE_AND_VERIFY)
    print(f"dump: {manifest.dump_bytes / 2**20:.0f} MB plaintext, "
          f"{manifest.object_bytes / 2**20:.0f} MB stored")
    print(f"bare pg_restore of the dump file   : {baseline:8.2f} s (fastest of "
          f"{', '.join(f'{s:.2f}' for s in bare)})")
    print(f"whole drills                       : {', '.join(f'{t:.2f}' for t, _ in drills)} s; "
          "the fastest:")
    for name, seconds in steps.items():
        print(f"  drill {name:<28}: {seconds:8.2f} s")
    if during is not None:
        print(f"  (verify-tables checked for {during:.2f} s inside the restore step, while "
              "pg_restore built keys, indexes and policies)")
    print(f"drill restore + verify             : {drill:8.2f} s")
    print(f"whole drill                        : {total:8.2f} s")
    print(f"ratio restore+verify / pg_restore  : {drill / baseline:.2f}x (aim <= 1.05x)")
    print(f"ratio whole drill / pg_restore     : {total / baseline:.2f}x (aim <= 1.10x)")

if __name__ == "__main__":
    main()
