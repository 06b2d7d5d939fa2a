"""What a database holds, in a form two servers can be compared by: tables and roles.

Per table: its row count and an order-independent content checksum, the sum over rows of a
64-bit row hash, taken by a role that bypasses row-level security, so RLS never hides rows.
The row hash is `hash_record_extended` (PostgreSQL 14+): each column's extended hash function,
the ones hash partitioning relies on, hence stable across servers and versions, and 3-4x
cheaper than rendering rows as text. Tables with a column type that has no hash function
(json, point, ...) fall back to md5 of the row's text; for that, the session pins every setting
that changes a row's text (time zone, date and interval styles, float digits, bytea output).
The checksum names its method ("hash:..." or "md5:..."), so a restore is checked the same way.

Roles: names and the attributes that decide isolation (superuser, bypassrls) and memberships,
never passwords. A logical dump does not carry roles; the drill recreates them so that
ownership, grants and policies restore as they are in production.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import psycopg
from psycopg import sql

# Settings that change how a row is rendered as text; fixed so checksums compare across servers.
DETERMINISTIC_SETTINGS = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
    "row_security": "off",
}
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
CHECKSUMS = {
    "hash": "SELECT count(*), coalesce(sum(hash_record_extended(t, 0)), 0)::text FROM {} AS t",
    "md5": "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint"
           "::numeric), 0)::text FROM {} AS t",
}

_TABLES = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg\\_temp%%'
  AND n.nspname NOT LIKE 'pg\\_toast%%'
ORDER BY 1, 2
"""

_ROLES = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolinherit,
       coalesce(array_agg(g.rolname ORDER BY g.rolname) FILTER (WHERE g.rolname IS NOT NULL), '{}')
FROM pg_roles r
LEFT JOIN pg_auth_members m ON m.member = r.oid
LEFT JOIN pg_roles g ON g.oid = m.roleid
WHERE r.rolname !~ '^pg_'
GROUP BY 1, 2, 3, 4
ORDER BY 1
"""


@dataclass(frozen=True)
class TableStats:
    """One table's row count and content checksum."""

    schema: str
    table: str
    rows: int
    checksum: str

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True)
class Role:
    """A role as far as restoring and isolation care: no password, no login."""

    name: str
    superuser: bool
    bypassrls: bool
    inherit: bool = True
    member_of: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def pin_settings(conn: psycopg.Connection) -> None:
    """Fixes the row-rendering settings of this session (see module docstring)."""
    for name, value in DETERMINISTIC_SETTINGS.items():
        conn.execute("SELECT set_config(%s, %s, false)", (name, value))


def table_names(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(schema, table) of every ordinary user table."""
    return [(s, t) for s, t in conn.execute(_TABLES, (list(SYSTEM_SCHEMAS),)).fetchall()]


def table_stats(conn: psycopg.Connection, schema: str, table: str,
                method: str | None = None) -> TableStats:
    """Row count and checksum of one table, in the connection's current snapshot.

    Runs in a savepoint, so a table the row hash cannot handle does not abort the snapshot's
    transaction; `method` forces the method a manifest used.
    """
    for name in [method] if method else list(CHECKSUMS):
        query = sql.SQL(CHECKSUMS[name]).format(sql.Identifier(schema, table))
        try:
            with conn.transaction():
                rows, checksum = conn.execute(query).fetchone()
            return TableStats(schema, table, int(rows), f"{name}:{checksum}")
        except psycopg.errors.UndefinedFunction:
            if method:
                raise
    raise AssertionError("the md5 checksum needs no hash function")


def checksum_method(stats: TableStats) -> str:
    return stats.checksum.split(":", 1)[0]


def all_table_stats(conn: psycopg.Connection,
                    methods: dict[str, str] | None = None) -> list[TableStats]:
    """Stats of every user table; the caller chooses the snapshot (transaction) they see.

    `methods` maps "schema.table" to the checksum method to use (a manifest's).
    """
    pin_settings(conn)
    methods = methods or {}
    return [table_stats(conn, schema, table, methods.get(f"{schema}.{table}"))
            for schema, table in table_names(conn)]


def roles(conn: psycopg.Connection) -> list[Role]:
    """Every non-predefined role with the attributes isolation depends on."""
    return [Role(name, bool(su), bool(bypass), bool(inherit), list(member_of))
            for name, su, bypass, inherit, member_of in conn.execute(_ROLES).fetchall()]


def can_bypass_rls(conn: psycopg.Connection) -> bool:
    """True when the session's role sees every row (superuser or BYPASSRLS)."""
    row = conn.execute(
        "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    return bool(row and row[0])
