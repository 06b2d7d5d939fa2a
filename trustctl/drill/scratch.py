"""The scratch environment a drill restores into, and its teardown whatever happens.

Default: a fresh embedded PostgreSQL in a temporary directory of the drill host (stopped and
deleted afterwards). With a scratch DSN: a fresh, empty database (from template0) on that
server, dropped afterwards with the roles the drill had to create. A server that holds the
production database is refused before anything is touched (drill/guard.py): restores create
databases and roles, and production is not for rehearsals.

Roles come from the manifest: a logical dump has none, yet ownership, grants and policies name
them. pg/roles.py recreates the absent ones, unable to log in, with no more power than the
manifest records and the allowlist permits, and never alters a role the server already has.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import psycopg
from psycopg import sql

from trustctl import signals
from trustctl.archive.inventory import Role
from trustctl.drill import leftovers
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError
from trustctl.pg.connect import connect
from trustctl.pg.roles import RoleAllowlist, RolesRecreated, recreate_roles
from trustctl.pg.server import LocalPostgres


class Scratch:
    """A database to restore into; `destroy()` leaves nothing behind (idempotent)."""

    kind = "scratch"
    dsn: Dsn
    data_dir: Path | None = None
    work_parent: Path | None = None
    _work: Path | None = None

    def workspace(self) -> Path:
        """A private local directory for plaintext restore files (parallel restores only);
        removed by `destroy()`."""
        if self._work is None:
            self._work = Path(tempfile.mkdtemp(prefix="trustctl-restore-", dir=self.work_parent))
        return self._work

    def _remove_workspace(self) -> None:
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)

    def prepare_roles(self, roles: list[Role], allowlist: RoleAllowlist) -> RolesRecreated:
        """The manifest's roles that the server lacks (pg/roles.py); `destroy()` drops them."""
        done = RolesRecreated()
        try:
            with connect(self.dsn, autocommit=True) as conn:
                recreate_roles(conn, roles, allowlist, done)
        finally:
            for name in done.created:
                self._created_role(name)
        return done

    def _created_role(self, name: str) -> None:
        """A server-local scratch is deleted whole; a shared one must forget its roles."""

    def is_alive(self) -> bool:
        try:
            with connect(self.dsn):
                return True
        except DependencyError:
            return False

    def describe(self) -> dict:
        return {"kind": self.kind, "target": str(self.dsn),
                "data_dir": str(self.data_dir) if self.data_dir else None}

    def destroy(self) -> None:
        raise NotImplementedError


class LocalScratch(Scratch):
    """A fresh embedded PostgreSQL in its own private (0700) temporary directory, registered
    while it exists so that a drill killed outright leaves it to the next one (leftovers.py).
    Interrupted anywhere in its start, it stops whatever got started and removes it all.

    The restore goes into the server's `postgres` database: initdb made it a moment ago from
    template1, empty, as CREATE DATABASE would make another (which cost 0.1-0.3 s of the
    drill's wait for its scratch server)."""

    kind = "embedded"

    def __init__(self, parent: Path | None = None) -> None:
        self.server: LocalPostgres | None = None
        self._note: Path | None = None
        with signals.shielded():  # a directory that exists is a directory registered
            self.root = Path(tempfile.mkdtemp(prefix=leftovers.SCRATCH_PREFIX, dir=parent))
            self.data_dir = self.root / "data"
            self.work_parent = self.root
            try:
                self._note = leftovers.register(self.root, self.data_dir)
            except BaseException:
                shutil.rmtree(self.root, ignore_errors=True)
                raise
        try:
            self.server = LocalPostgres.start(self.data_dir)
        except BaseException:
            self.destroy()
            raise
        self.dsn = Dsn.parse(self.server.dsn(), "the scratch server")

    @property
    def pid(self) -> int:
        """The scratch postmaster (tests kill it to rehearse a server dying mid-restore)."""
        assert self.server is not None
        return self.server.pid

    def destroy(self) -> None:
        with signals.shielded():
            if self.server is not None:  # started: initdb and pg_ctl are done
                self.server.destroy()
            else:  # whatever an interrupted start left (a scan of every process's command line)
                LocalPostgres.stop_orphan(self.data_dir)
            shutil.rmtree(self.root, ignore_errors=True)
            if self._note is not None:
                self._note.unlink(missing_ok=True)


class LocalScratchStart:
    """A local scratch server starting in a thread (the leftovers of killed drills reaped first)
    while the drill selects the backup and checks its key, manifest, age and lock: the server's
    start and those S3/KMS round trips overlap.

    Signals reach only the main thread, so a start is never cut half way: `take()` waits for
    the server (re-raising what stopped its start, which removed what it had made), and the
    teardown of a drill that never took it (interrupted, or a check failed first) calls
    `discard()`, which waits for the start to end and removes the server.
    """

    def __init__(self, make: Callable[[], Scratch]) -> None:
        """`make` starts the server (a LocalScratch), in the thread."""
        self._started: Future[tuple[Scratch, list[leftovers.Leftover]]] = Future()
        self._thread = threading.Thread(target=self._start, args=(make,), name="scratch-start")
        self._thread.start()

    def _start(self, make: Callable[[], Scratch]) -> None:
        try:
            gone = leftovers.reap()
            self._started.set_result((make(), gone))
        except BaseException as exc:  # handed to whoever takes it
            self._started.set_exception(exc)

    def take(self) -> tuple[Scratch, list[leftovers.Leftover]]:
        """The started server and the leftovers removed before it; raises what stopped it."""
        return self._started.result()

    def discard(self) -> bool:
        """Waits for the start to end and removes its server; whether there was one."""
        with signals.shielded():
            self._thread.join()
            if self._started.exception() is not None:
                return False  # the failed start removed what it had made
            self._started.result()[0].destroy()
            return True


class RemoteScratch(Scratch):
    """A fresh, empty database (from template0) on a scratch server reached by DSN, which the
    production guard let through; roles it creates are dropped."""

    kind = "dsn"

    def __init__(self, server_dsn: Dsn, work_parent: Path | None = None) -> None:
        self.server_dsn = server_dsn
        self.work_parent = work_parent
        self.database = f"trustctl_drill_{secrets.token_hex(4)}"
        self.roles: list[str] = []
        with connect(server_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                sql.Identifier(self.database)))
        self.dsn = server_dsn.with_dbname(self.database)

    def _created_role(self, name: str) -> None:
        self.roles.append(name)

    def destroy(self) -> None:
        self._remove_workspace()
        with connect(self.server_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(self.database)))
            for name in reversed(self.roles):
                with contextlib.suppress(psycopg.Error):
                    conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
        self.roles.clear()
