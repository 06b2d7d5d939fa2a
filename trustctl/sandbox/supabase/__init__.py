"""The sandbox's `supabase` profile: a database shaped like a Supabase project.

Roles (roles.sql), the platform (platform.sql: the extensions and auth schemas and Supabase's
default privileges of the API roles), storage and Claver's tenant tables with Supabase-style
policies (schema.sql), deterministic data (data.sql). The tenancy it follows is
production's, policies/tenancy.yaml: a drill of it is a rehearsal of the real thing. Backups
read it as `trustctl_backup`, a non-superuser with BYPASSRLS, as they read Supabase.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import psycopg
from psycopg import sql

from trustctl.paths import POLICIES
from trustctl.pg.server import LocalPostgres
from trustctl.sandbox.seed import set_password, tenant_count

DATABASE = "postgres_app"
APP_ROLE = "authenticated"
LOGIN_ROLE = "authenticator"
BACKUP_ROLE = "trustctl_backup"
TENANCY = POLICIES / "tenancy.yaml"
ROWS_PER_TENANT = 200
TENANT_BATCH = 50


@dataclass(frozen=True)
class Logins:
    """The generated passwords: never printed (the sandbox keeps them in its 0600 state)."""

    backup: str
    authenticator: str
    jwt_secret: str  # what signs the project's JWTs; set on the database, as Supabase did


def create_roles(conn: psycopg.Connection) -> Logins:
    """The cluster roles (idempotent) with fresh passwords for the two that log in."""
    conn.execute(_sql("roles.sql"))
    logins = Logins(secrets.token_urlsafe(24), secrets.token_urlsafe(24),
                    secrets.token_urlsafe(32))
    set_password(conn, BACKUP_ROLE, logins.backup)
    set_password(conn, LOGIN_ROLE, logins.authenticator)
    return logins


def create_database(pg: LocalPostgres, name: str, tenants: int, rows: int,
                    progress: Callable[[str], None] = lambda _line: None) -> None:
    """A Supabase-shaped database `name` with `tenants` tenants of about `rows` rows each."""
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        create_platform(conn)
        conn.execute(_sql("schema.sql"))
        for first in range(1, tenants + 1, TENANT_BATCH):
            last = min(first + TENANT_BATCH - 1, tenants)
            conn.execute(_sql("data.sql") % {"first": first, "last": last, "rows": rows})
            progress(f"seeded {last} of {tenants} tenants")
        conn.execute("ANALYZE")


def create_platform(conn: psycopg.Connection) -> None:
    """What Supabase provides before an app's migrations: extensions and auth schemas, and the
    API roles' default privileges in public (platform.sql)."""
    conn.execute(_sql("platform.sql"))


def seed(pg: LocalPostgres, target_mb: int, progress: Callable[[str], None]) -> Logins:
    """Roles, then the database DATABASE of about `target_mb` MB."""
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        logins = create_roles(conn)
    create_database(pg, DATABASE, tenant_count(target_mb), ROWS_PER_TENANT, progress)
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        set_jwt_secret(conn, DATABASE, logins.jwt_secret)
    progress(f"database {DATABASE} seeded (Supabase-shaped)")
    return logins


def set_jwt_secret(conn: psycopg.Connection, database: str, secret: str) -> None:
    """Where older Supabase projects kept the JWT secret: a database setting any session
    could read. Nothing trustctl prints or records may contain it (tested)."""
    conn.execute(sql.SQL("ALTER DATABASE {} SET app.settings.jwt_secret TO {}").format(
        sql.Identifier(database), sql.Literal(secret)))


def _sql(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text()
