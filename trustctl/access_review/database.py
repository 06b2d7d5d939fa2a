"""The database: every login role, what it can become, and what it can do to tenant tables.

A login role reaches what any role it is a member of reaches (it can SET ROLE to it even
without INHERIT), so superuser, BYPASSRLS, CREATEROLE and table privileges are taken over all
of those. Owning a tenant table, superuser and BYPASSRLS count as admin: each bypasses RLS.
Read-only: the session is read-only and reads catalogs only.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from trustctl.access_review.inventory import Access, Inventory
from trustctl.access_review.progress import QUIET, Progress
from trustctl.dsn import Dsn
from trustctl.pg.connect import connect

SOURCE = "database"

_LOGIN_ROLES = """
SELECT l.rolname, l.rolsuper, l.rolbypassrls, l.rolcreaterole,
       coalesce(array_agg(DISTINCT r.rolname) FILTER (WHERE r.oid <> l.oid
                AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole)), '{}'),
       bool_or(r.rolsuper), bool_or(r.rolbypassrls), bool_or(r.rolcreaterole),
       coalesce((SELECT array_agg(g.rolname ORDER BY g.rolname) FROM pg_auth_members m
                 JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = l.oid), '{}')
FROM pg_roles l JOIN pg_roles r ON pg_has_role(l.oid, r.oid, 'MEMBER')
WHERE l.rolcanlogin AND l.rolname !~ '^pg_'
GROUP BY l.oid, l.rolname, l.rolsuper, l.rolbypassrls, l.rolcreaterole
ORDER BY l.rolname
"""
_TENANT_TABLES = """
    SELECT c.oid, n.nspname, c.relname, c.relowner FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%(schemas)s)
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                  AND a.attname = %(column)s AND NOT a.attisdropped)
"""
_TENANT_TABLE_REACH = """
WITH tables AS (""" + _TENANT_TABLES + """), reach AS (
    SELECT l.rolname AS login, r.oid AS role FROM pg_roles l
    JOIN pg_roles r ON pg_has_role(l.oid, r.oid, 'MEMBER')
    WHERE l.rolcanlogin AND l.rolname !~ '^pg_'
)
SELECT reach.login, t.nspname, count(DISTINCT t.oid),
       count(DISTINCT t.oid) FILTER (WHERE has_table_privilege(reach.role, t.oid, 'SELECT')),
       count(DISTINCT t.oid) FILTER (WHERE has_table_privilege(reach.role, t.oid,
                                     'INSERT, UPDATE, DELETE, TRUNCATE')),
       count(DISTINCT t.oid) FILTER (WHERE t.relowner = reach.role)
FROM reach CROSS JOIN tables t GROUP BY 1, 2 ORDER BY 1, 2
"""
_CONNECTED = """
SELECT usename, min(backend_start) FROM pg_stat_activity
WHERE usename IS NOT NULL AND pid <> pg_backend_pid() GROUP BY usename
"""


@dataclass(frozen=True)
class TenantTables:
    """Where tenant data lives: these schemas, tables carrying this column."""

    schemas: tuple[str, ...] = ("public",)
    column: str = "tenant_id"

    def parameters(self) -> dict[str, object]:
        return {"schemas": list(self.schemas), "column": self.column}


def collect(dsn: Dsn, tables: TenantTables, inventory: Inventory,
            progress: Progress = QUIET) -> None:
    """Adds one access per login role and tenant schema (or the database, if none reached)."""
    with inventory.reading(SOURCE, f"roles and grants of {dsn}"):
        with connect(dsn, autocommit=True,
                     options="-c default_transaction_read_only=on") as conn:
            database = conn.info.dbname
            roles = conn.execute(_LOGIN_ROLES).fetchall()
            progress.say(f"database {database}: {len(roles)} login roles")
            reach = _reach(conn, tables)
            connected = dict(conn.execute(_CONNECTED).fetchall())
        for (name, superuser, bypass, createrole, via_roles, any_super, any_bypass,
             any_createrole, memberships) in roles:
            notes = _flags(superuser, bypass, createrole, any_super, any_bypass, any_createrole,
                           via_roles)
            since = connected.get(name)
            notes.append(f"connected now, since {since.isoformat(timespec='seconds')}" if since
                         else "last connection not exposed by the server")
            template = Access(f"postgres:{name}", "db-role", f"postgres:{database}", "none",
                              [f"member of {m}" for m in memberships], notes=notes,
                              last_used=since.isoformat(timespec="seconds") if since else None)
            levels = _schema_levels(reach.get(name, []), any_super or any_bypass)
            template.notes += [detail for _schema, _level, detail in levels]
            inventory.add_reach(template, [(f"postgres:{database}/{schema}", level)
                                           for schema, level, _detail in levels])
    inventory.sources.setdefault(SOURCE, "read")


def tenant_table_names(conn: psycopg.Connection, tables: TenantTables) -> list[str]:
    """Every tenant table as `schema.table`."""
    rows = conn.execute(f"SELECT t.nspname || '.' || t.relname FROM ({_TENANT_TABLES}) t "
                        "ORDER BY 1", tables.parameters())
    return [name for (name,) in rows]


def _reach(conn: psycopg.Connection, tables: TenantTables) -> dict[str, list[tuple]]:
    by_login: dict[str, list[tuple]] = {}
    rows = conn.execute(_TENANT_TABLE_REACH, tables.parameters())
    for login, schema, total, readable, writable, owned in rows:
        by_login.setdefault(login, []).append((schema, total, readable, writable, owned))
    return by_login


def _schema_levels(schemas: list[tuple], bypasses: bool) -> list[tuple[str, str, str]]:
    """(schema, level, what the role may do there) for each tenant schema it reaches."""
    levels = []
    for schema, total, readable, writable, owned in schemas:
        level = ("admin" if bypasses or owned else "write" if writable else
                 "read" if readable else None)
        if level is None:
            continue
        levels.append((schema, level, f"{schema}: reads {readable}, writes {writable}, owns "
                                      f"{owned} of {total} tenant tables"))
    return levels


def _flags(superuser: bool, bypass: bool, createrole: bool, any_super: bool, any_bypass: bool,
           any_createrole: bool, via_roles: list[str]) -> list[str]:
    own = [flag for flag, on in (("SUPERUSER", superuser), ("BYPASSRLS", bypass),
                                 ("CREATEROLE", createrole)) if on]
    notes = [f"is {', '.join(own)}"] if own else []
    inherited = [flag for flag, on, mine in (("SUPERUSER", any_super, superuser),
                                             ("BYPASSRLS", any_bypass, bypass),
                                             ("CREATEROLE", any_createrole, createrole))
                 if on and not mine]
    if inherited:
        notes.append(f"can become {', '.join(sorted(via_roles))} ({', '.join(inherited)})")
    return notes
