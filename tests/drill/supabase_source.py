"""One Supabase-shaped server for every Supabase test: roles once, a template database once,
and a fresh database per test cloned from the template (CREATE DATABASE ... TEMPLATE)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from trustctl.archive.location import Location
from trustctl.archive.manifest import Manifest
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.dsn import Dsn
from trustctl.pg.server import LocalPostgres
from trustctl.sandbox import supabase

TEMPLATE = "supabase_template"
TENANTS = 4
ROWS = 12


@dataclass(frozen=True)
class SupabaseServer:
    pg: LocalPostgres
    logins: supabase.Logins

    def new_database(self, template: str = TEMPLATE) -> str:
        """A fresh Supabase-shaped database (template1: a plain one on the same roles)."""
        name = f"project_{secrets.token_hex(3)}"
        with psycopg.connect(self.pg.dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)))
            supabase.set_jwt_secret(conn, name, self.logins.jwt_secret)
        return name

    def run(self, database: str, statements: str) -> None:
        """As postgres (Supabase's owner of the tables)."""
        with psycopg.connect(self.pg.dsn(database), autocommit=True) as conn:
            conn.execute(statements)

    def backup_dsn(self, database: str) -> str:
        """What production backups use: the non-superuser BYPASSRLS role."""
        return self.pg.dsn(database, supabase.BACKUP_ROLE, self.logins.backup)

    def backup(self, database: str, where: Location) -> Manifest:
        target = BackupTarget(where.store(), where.kms(), where.kms_key_id)
        return run_backup(Dsn.parse(self.backup_dsn(database), "the Supabase test server"),
                          target, quiet=True)

    @property
    def passwords(self) -> list[str]:
        """Every secret of the server: passwords and the JWT secret its databases hold."""
        return [self.logins.backup, self.logins.authenticator, self.logins.jwt_secret,
                self.pg.state()["password"]]


@pytest.fixture(scope="session")
def supabase_server(postgres_factory: Callable[[str], LocalPostgres]) -> SupabaseServer:
    pg = postgres_factory("supabase")
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        logins = supabase.create_roles(conn)
    supabase.create_database(pg, TEMPLATE, TENANTS, ROWS)
    return SupabaseServer(pg, logins)
