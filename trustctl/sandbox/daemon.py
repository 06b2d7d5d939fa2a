"""The sandbox's background process: starts moto and Postgres, seeds the database, then stands
in for S3 replication (copying new backups to the recovery region every second).

Run by `up` in its own session as `python -m trustctl.sandbox.daemon <dir> start <size_mb>
<profile>`, or `<dir> resume` to bring back a sandbox whose daemon died. moto (where the
backups are) and Postgres run in processes of their own, so the daemon's death loses nothing:
`resume` takes over what still runs, restarts Postgres on its data, and only when moto itself
died (the backups with it) declares a new bucket and key, saying so. Nothing here deletes
anything: that is `trustctl sandbox down`'s alone. SIGTERM, SIGINT or SIGHUP stop the daemon
only. Progress goes to stdout, which `up` points at daemon.log and echoes; the passwords are
remembered by `trustctl.redaction`, which every line passes through.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from trustctl import redaction
from trustctl.aws import AwsTarget
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError
from trustctl.pg.server import LocalPostgres, running_pid
from trustctl.sandbox import account, backup_target, processes, recovery, seed, supabase
from trustctl.sandbox.replication import Replication
from trustctl.sandbox.state import (
    LOG_FILE,
    MOTO_URL_FILE,
    PGDATA,
    READY,
    SandboxInfo,
    read_state,
    write_state,
)

ALIVE_CHECK_SECONDS = 1.0
MOTO_START_SECONDS = 60.0


class _Stop(BaseException):
    """A stop signal arrived (a BaseException, so no `except Exception` on the way swallows it)."""


def main(argv: list[str]) -> int:
    redaction.remember_environment()
    with redaction.redacting_output():
        return _serve(Path(argv[0]), argv[1:])


def _serve(directory: Path, plan: list[str]) -> int:
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    state = {**(read_state(directory) or {}), "daemon_pid": os.getpid(), "phase": "starting"}
    write_state(directory, state)
    try:
        if plan[0] == "resume":
            info = _resume(directory, state)
        else:
            info = _start(directory, state, int(plan[1]), plan[2])
        state.update(phase=READY, info=asdict(info))
        write_state(directory, state)
        _progress("sandbox ready")
        _watch(directory, info, state["moto"]["pid"])
        return 1
    except _Stop:
        _progress("stopping (moto and postgres keep running until `trustctl sandbox down`)")
        return 0
    except Exception as exc:  # report in one line; `up` shows it
        _progress(f"failed: {type(exc).__name__}: {exc}")
        return 1


def _start(directory: Path, state: dict[str, Any], target_mb: int, profile: str) -> SandboxInfo:
    """A new sandbox: moto with the declared account, Postgres seeded with `profile`."""
    aws = _new_aws(directory, state)
    pg = LocalPostgres.start(directory / PGDATA)
    redaction.remember(pg.state()["password"])
    _progress(f"postgres on {pg.host}:{pg.port}; seeding about {target_mb} MB ({profile} "
              "profile)")
    return SandboxInfo(
        **aws, pg_host=pg.host, pg_port=pg.port, tenants=seed.tenant_count(target_mb),
        size_mb=target_mb, started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        profile=profile, **_seed(pg, target_mb, profile))


def _resume(directory: Path, state: dict[str, Any]) -> SandboxInfo:
    """The sandbox `state` describes, with whatever stopped started again on its data."""
    info = SandboxInfo.from_dict(state["info"])
    for dsn in (info.dsn, info.app_dsn):
        Dsn.parse(dsn, "the sandbox's state")  # remembered by redaction
    changes: dict[str, Any] = {}
    if processes.alive((state.get("moto") or {}).get("pid"), processes.MOTO_MODULE):
        _progress(f"moto still serves on {info.aws_endpoint}, backups and all")
    else:
        _progress("moto (the sandbox's AWS) had stopped, and the backups it held with it: "
                  "declaring a new backup bucket and key")
        changes.update(_new_aws(directory, state))
    pgdata = directory / PGDATA
    if running_pid(pgdata) is None:
        pg = _restart_postgres(pgdata, info.pg_port)
        if pg.port != info.pg_port:
            changes.update(pg_port=pg.port, dsn=_on_port(info.dsn, pg.port),
                           app_dsn=_on_port(info.app_dsn, pg.port))
        _progress(f"postgres started again on {pg.host}:{pg.port}, on its data")
    else:
        _progress(f"postgres still runs on {info.pg_host}:{info.pg_port}")
    return replace(info, **changes)


def _new_aws(directory: Path, state: dict[str, Any]) -> dict[str, Any]:
    """moto in a process of its own, with the backup bucket, key, account and recovery region
    declared as infra/ declares production's; SandboxInfo's fields for it."""
    pid, url = _launch_moto(directory)
    state["moto"] = {"pid": pid, "url": url}
    write_state(directory, state)
    primary = AwsTarget(backup_target.REGION, url)
    backup = backup_target.declare(primary)
    account.declare_account(primary, backup)
    declared = recovery.declare_recovery(primary, backup.bucket)
    _progress(f"moto on {url}: backup bucket {backup.bucket}, key {backup.key_id}; "
              f"replica {declared.bucket} in {declared.region}")
    for note in declared.notes(backup.bucket):
        _progress(note.removeprefix("sandbox: "))
    return {"aws_endpoint": url, "region": backup_target.REGION, "backup_bucket": backup.bucket,
            "kms_key_id": backup.key_id, "kms_key_arn": backup.key_arn,
            "recovery_region": declared.region, "replica_bucket": declared.bucket,
            "stand_in_key_arn": declared.stand_in_key_arn}


def _launch_moto(directory: Path) -> tuple[int, str]:
    """Start `trustctl.sandbox.moto` in its own session; its pid and URL once it listens."""
    url_file = directory / MOTO_URL_FILE
    url_file.unlink(missing_ok=True)
    with (directory / LOG_FILE).open("ab") as log:
        process = subprocess.Popen([sys.executable, "-m", processes.MOTO_MODULE, str(url_file)],
                                   stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   close_fds=True)
    deadline = time.monotonic() + MOTO_START_SECONDS
    while not url_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            processes.stop(process.pid, processes.MOTO_MODULE)
            raise DependencyError(f"moto did not start (see {directory / LOG_FILE})")
        time.sleep(0.1)
    return process.pid, url_file.read_text().strip()


def _restart_postgres(pgdata: Path, port: int) -> LocalPostgres:
    """Postgres on its data again, on its old port when that is still free."""
    try:
        pg = LocalPostgres.start(pgdata, port=port)
    except DependencyError:
        pg = LocalPostgres.start(pgdata)
    redaction.remember(pg.state()["password"])
    return pg


def _on_port(dsn: str, port: int) -> str:
    """The sandbox's DSN (a URI it wrote itself) with another port."""
    head, _, rest = dsn.rpartition("@")
    host, _, path = rest.partition("/")
    return f"{head}@{host.rsplit(':', 1)[0]}:{port}/{path}"


def _watch(directory: Path, info: SandboxInfo, moto_pid: int) -> None:
    """Stand in for S3 replication for as long as moto and Postgres run."""
    replication = Replication(info.aws_target, info.backup_bucket, info.recovery())
    while processes.alive(moto_pid, processes.MOTO_MODULE) and running_pid(directory / PGDATA):
        _replicate(replication)
        time.sleep(ALIVE_CHECK_SECONDS)
    gone = "postgres" if processes.alive(moto_pid, processes.MOTO_MODULE) else "moto"
    _progress(f"{gone} stopped on its own: the sandbox is down; `trustctl sandbox up` brings "
              "it back")


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
