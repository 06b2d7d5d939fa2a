"""The sandbox's background process: owns moto and Postgres from `up` until `down`.

Run as `python -m trustctl.sandbox.daemon <dir> <size_mb> <profile>` in its own session by `up`.
It
starts moto (state in memory, so the backup key and bucket are created on every start) and
Postgres, seeds the database, writes state.json, then waits. SIGTERM (from `down`), SIGINT or
SIGHUP stop moto and Postgres and remove the server's data. Progress goes to stdout, which
`up` points at daemon.log and echoes. No password is ever printed: the server's passwords are
remembered by `trustctl.redaction`, which every line passes through.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from trustctl import redaction
from trustctl.pg.server import LocalPostgres
from trustctl.sandbox import account, backup_target, recovery, seed, supabase
from trustctl.sandbox.moto import MotoServer
from trustctl.sandbox.replication import Replication
from trustctl.sandbox.state import PGDATA, READY, STATE_FILE, SandboxInfo, write_state

ALIVE_CHECK_SECONDS = 1.0


class _Stop(BaseException):
    """A stop signal arrived (a BaseException, so no `except Exception` on the way swallows it)."""


def main(argv: list[str]) -> int:
    redaction.remember_environment()
    profile = argv[2] if len(argv) > 2 else "default"
    with redaction.redacting_output():
        return _serve(Path(argv[0]), int(argv[1]), profile)


def _serve(directory: Path, target_mb: int, profile: str) -> int:
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    state: dict = {"daemon_pid": os.getpid(), "phase": "starting"}
    write_state(directory, state)
    moto: MotoServer | None = None
    pg: LocalPostgres | None = None
    try:
        moto = MotoServer()
        primary = moto.target(backup_target.REGION)
        backup = backup_target.declare(primary)
        account.declare_account(primary, backup)
        declared = recovery.declare_recovery(primary, backup.bucket)
        replication = Replication(primary, backup.bucket, declared)
        _progress(f"moto on {moto.url}: backup bucket {backup.bucket}, key {backup.key_id}; "
                  f"replica {declared.bucket} in {declared.region}")
        for note in declared.notes(backup.bucket):
            _progress(note.removeprefix("sandbox: "))
        pg = LocalPostgres.start(directory / PGDATA)
        redaction.remember(pg.state()["password"])
        _progress(f"postgres on {pg.host}:{pg.port}; seeding about {target_mb} MB ({profile} "
                  "profile)")
        info = SandboxInfo(
            aws_endpoint=moto.url, region=backup_target.REGION, backup_bucket=backup.bucket,
            kms_key_id=backup.key_id, kms_key_arn=backup.key_arn, pg_host=pg.host,
            pg_port=pg.port, tenants=seed.tenant_count(target_mb), size_mb=target_mb,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"), profile=profile,
            recovery_region=declared.region, replica_bucket=declared.bucket,
            stand_in_key_arn=declared.stand_in_key_arn,
            **_seed(pg, target_mb, profile),
        )
        write_state(directory, {**state, "phase": READY, "info": asdict(info)})
        _progress("sandbox ready")
        while pg.is_running():
            _replicate(replication)
            time.sleep(ALIVE_CHECK_SECONDS)
        _progress("postgres stopped on its own; shutting the sandbox down")
        return 1
    except _Stop:
        _progress("stopping")
        return 0
    except Exception as exc:  # report in one line; `up` shows it
        _progress(f"failed: {type(exc).__name__}: {exc}")
        return 1
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if moto is not None:
            moto.stop()
        if pg is not None:
            pg.destroy()
        (directory / STATE_FILE).unlink(missing_ok=True)


def _replicate(replication: Replication) -> None:
    """One pass of the stand-in for S3 replication; a failed pass is logged and retried."""
    try:
        copied = replication.copy_new()
    except Exception as exc:  # moto busy or a backup half-written: the next pass retries
        _progress(f"replication pass failed ({type(exc).__name__}: {exc}); retrying")
        return
    for key in copied:
        _progress(f"replicated {key}")


def _seed(pg: LocalPostgres, target_mb: int, profile: str) -> dict[str, str]:
    """Seeds the profile's database; where it is and who logs in (passwords in the DSNs)."""
    if profile == "supabase":
        logins = supabase.seed(pg, target_mb, _progress)
        for secret in (logins.backup, logins.authenticator, logins.jwt_secret):
            redaction.remember(secret)
        database = supabase.DATABASE
        return {"pg_database": database, "pg_user": supabase.BACKUP_ROLE,
                "app_role": supabase.APP_ROLE,
                "dsn": pg.dsn(database, supabase.BACKUP_ROLE, logins.backup),
                "app_dsn": pg.dsn(database, supabase.LOGIN_ROLE, logins.authenticator)}
    app_password = seed.seed(pg, target_mb, _progress)
    redaction.remember(app_password)
    return {"pg_database": seed.DATABASE, "pg_user": pg.superuser, "app_role": seed.APP_ROLE,
            "dsn": pg.dsn(seed.DATABASE),
            "app_dsn": pg.dsn(seed.DATABASE, user=seed.APP_ROLE, password=app_password)}


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _progress(message: str) -> None:
    print(f"sandbox: {message}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
