"""The scratch environment a drill restores into, and its teardown whatever happens.

Default: a fresh embedded PostgreSQL in a temporary directory of the drill host (stopped and
deleted afterwards). With a scratch DSN: a fresh database on that server (dropped afterwards,
with the roles the drill had to create). A DSN on the production server is refused before
anything is touched: restores create databases and roles, and production is not for rehearsals.

Roles come from the manifest: a logical dump has none, yet ownership, grants and policies name
them. They are recreated as they were (superuser, BYPASSRLS, memberships) but unable to log in,
so the isolation check sees production's role set-up, flaws included.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from trustctl.archive.inventory import Role
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError, InputError
from trustctl.pg.connect import connect
from trustctl.pg.server import LocalPostgres

SCRATCH_DATABASE = "restored"


def refuse_production(scratch_dsn: Dsn, production: list[Dsn]) -> None:
    """Refuses a scratch DSN on the same server (host and port) as any production DSN."""
    for prod in production:
        if scratch_dsn.same_host(prod):
            raise InputError(f"refusing scratch target {scratch_dsn}: it is the "
                             f"production server ({prod}); use a scratch server")


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

    def prepare_roles(self, roles: list[Role]) -> None:
        with connect(self.dsn, autocommit=True) as conn:
            existing = {name for (name,) in conn.execute("SELECT rolname FROM pg_roles")}
            for role in roles:
                if role.name not in existing:
                    conn.execute(_create_role(role))
                    self._created_role(role.name)
            for role in roles:
                for group in role.member_of:
                    conn.execute(sql.SQL("GRANT {} TO {}").format(
                        sql.Identifier(group), sql.Identifier(role.name)))

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


def _create_role(role: Role) -> sql.Composable:
    options = ["NOLOGIN", "SUPERUSER" if role.superuser else "NOSUPERUSER",
               "BYPASSRLS" if role.bypassrls else "NOBYPASSRLS",
               "INHERIT" if role.inherit else "NOINHERIT"]
    return sql.SQL("CREATE ROLE {} " + " ".join(options)).format(sql.Identifier(role.name))


class LocalScratch(Scratch):
    """A fresh embedded PostgreSQL in its own temporary directory."""

    kind = "embedded"

    def __init__(self, parent: Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="trustctl-drill-", dir=parent))
        self.data_dir = self.root / "data"
        self.work_parent = self.root
        self.server: LocalPostgres | None = None
        try:
            self.server = LocalPostgres.start(self.data_dir)
            admin = Dsn.parse(self.server.dsn(), "the scratch server")
            with connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(
                    sql.Identifier(SCRATCH_DATABASE)))
        except BaseException:
            self.destroy()
            raise
        self.dsn = Dsn.parse(self.server.dsn(SCRATCH_DATABASE), "the scratch server")

    @property
    def pid(self) -> int:
        """The scratch postmaster (tests kill it to rehearse a server dying mid-restore)."""
        assert self.server is not None
        return self.server.pid

    def destroy(self) -> None:
        if self.server is not None:
            self.server.destroy()
        elif (self.data_dir / "PG_VERSION").exists():  # interrupted while starting
            LocalPostgres.stop_orphan(self.data_dir)
        shutil.rmtree(self.root, ignore_errors=True)


class RemoteScratch(Scratch):
    """A fresh database on a scratch server reached by DSN; roles it creates are dropped."""

    kind = "dsn"

    def __init__(self, server_dsn: Dsn, work_parent: Path | None = None) -> None:
        self.server_dsn = server_dsn
        self.work_parent = work_parent
        self.database = f"trustctl_drill_{secrets.token_hex(4)}"
        self.roles: list[str] = []
        with connect(server_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
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
