"""Who a Postgres server is: what tells a restore target apart from the production database.

A host name says little (a pooler, a proxy, an alias or an IP address reach the same server),
so a server is named by its *system identifier* (`pg_control_system()`: set by initdb, kept by
physical replicas, new on a server a logical restore fills) and the database by its name. The
backup reads them from production, the manifest carries them authenticated, and the drill
compares a scratch server with them before it creates anything there.

PostgreSQL grants EXECUTE on `pg_control_system()` to PUBLIC, so any backup role reads it (on
Supabase too, unless a project revokes it: not tried here against a real project). Where it is
revoked, the identifier is recorded as unreadable, with why, and the drill's guard falls back to
the server's own address and the database name, and says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import psycopg

from trustctl.dsn import Dsn

_SESSION = ("SELECT current_database(), current_user, host(inet_server_addr()), "
            "inet_server_port()")
_SYSTEM_IDENTIFIER = "SELECT system_identifier::text FROM pg_control_system()"


@dataclass(frozen=True)
class ServerIdentity:
    """A server and database as seen from one session (no secret: no password, no user's DSN).

    `host`/`port` are what the DSN named; `server_address`/`server_port` what the server says
    it listens on for this session (inet_server_addr(); None over a Unix socket);
    `unreadable` why `system_identifier` is None.
    """

    system_identifier: str | None
    database: str
    role: str
    host: str | None
    port: int
    server_address: str | None
    server_port: int | None
    unreadable: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


def server_identity(conn: psycopg.Connection, dsn: Dsn) -> ServerIdentity:
    """Reads the identity through `conn` (in a savepoint: a refusal does not abort the caller's
    transaction)."""
    database, role, address, port = conn.execute(_SESSION).fetchone()
    try:
        with conn.transaction():
            system_identifier, unreadable = conn.execute(_SYSTEM_IDENTIFIER).fetchone()[0], None
    except psycopg.errors.InsufficientPrivilege as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "permission denied"
        system_identifier, unreadable = None, f"pg_control_system(): {reason}"
    return ServerIdentity(system_identifier, database, role, dsn.host, dsn.port, address,
                          port, unreadable)
