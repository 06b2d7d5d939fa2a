"""What a database holds, in a form two servers can be compared by: tables and roles.

Per table: its row count and an order-independent content checksum, the sum over rows of a
64-bit row hash, taken by a role that bypasses row-level security, so RLS never hides rows.
The row hash is `hash_record_extended` (PostgreSQL 14+): each column's extended hash function,
the ones hash partitioning relies on, hence stable across servers and versions, and 3-4x
cheaper than rendering rows as text. Tables with a column type that has no hash function
(json, point, ...) fall back to md5 of the row's text; for that, the session pins every setting
that changes a row's text (time zone, date and interval styles, float digits, bytea output,
search_path, which decides how a regclass is written).
The checksum names its method ("hash:..." or "md5:..."), so a restore is checked the same way.

Values of OID-bearing types (enums, regclass, regproc, ... and domains, arrays, ranges and
composites over them) are stored as OIDs, which a restore renumbers: they are hashed by their
text form (the label, the qualified name), the form pg_dump itself carries them in. Stored
generated columns are left out: a dump does not carry them, a restore computes them again with
the function as it is then (an app that redefined the function keeps older values in the
source, as dbdev does for app.packages.package_name). For a table with neither kind of column
the row hash is the same as hashing the table row itself.

Roles: names and the attributes that decide isolation (superuser, bypassrls, createrole) and
memberships, never passwords. A logical dump does not carry roles; the drill recreates them so that
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
    "search_path": "pg_catalog",
}
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
CHECKSUMS = {
    "hash": "SELECT count(*), coalesce(sum(hash_record_extended({row}, 0)), 0)::text FROM {table}"
            " AS t",
    "md5": "SELECT count(*), coalesce(sum(('x' || left(md5({row}::text), 16))::bit(64)::bigint"
           "::numeric), 0)::text FROM {table} AS t",
}
# Types whose values are OIDs of catalog rows; enums (typtype 'e') are found by their kind.
OID_TYPES = ("oid", "regclass", "regproc", "regprocedure", "regoper", "regoperator", "regtype",
             "regconfig", "regdictionary", "regnamespace", "regrole", "regcollation")

# Every column type, followed through domains, arrays, ranges, multiranges and composites.
_OID_BEARING_TYPES = """
WITH RECURSIVE parts(root, typ) AS (
    SELECT DISTINCT a.atttypid, a.atttypid
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  UNION
    SELECT p.root, d.typ
    FROM parts p JOIN pg_type t ON t.oid = p.typ
    CROSS JOIN LATERAL (
        SELECT t.typbasetype WHERE t.typbasetype <> 0
        UNION ALL SELECT t.typelem WHERE t.typelem <> 0
        UNION ALL SELECT r.rngsubtype FROM pg_range r WHERE r.rngtypid = t.oid
        UNION ALL SELECT r.rngtypid FROM pg_range r WHERE r.rngmultitypid = t.oid
        UNION ALL SELECT a.atttypid FROM pg_attribute a
                  WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid AND a.attnum > 0
                    AND NOT a.attisdropped
    ) AS d(typ)
)
SELECT DISTINCT p.root FROM parts p JOIN pg_type t ON t.oid = p.typ
WHERE t.typtype = 'e' OR t.typname = ANY(%s) AND t.typnamespace = 'pg_catalog'::regnamespace
"""
_COLUMNS = """
SELECT n.nspname, c.relname, a.attname, a.atttypid, a.attgenerated <> ''
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2, a.attnum
"""

_TABLES = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg\\_temp%%'
  AND n.nspname NOT LIKE 'pg\\_toast%%'
ORDER BY 1, 2
"""

_ROLES = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolinherit, r.rolcreaterole,
       coalesce(array_agg(g.rolname ORDER BY g.rolname) FILTER (WHERE g.rolname IS NOT NULL), '{}')
FROM pg_roles r
LEFT JOIN pg_auth_members m ON m.member = r.oid
LEFT JOIN pg_roles g ON g.oid = m.roleid
WHERE r.rolname !~ '^pg_'
GROUP BY 1, 2, 3, 4, 5
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
    createrole: bool = False

    def to_json(self) -> dict:
        return asdict(self)


def pin_settings(conn: psycopg.Connection) -> None:
    """Fixes the row-rendering settings of this session (see module docstring)."""
    for name, value in DETERMINISTIC_SETTINGS.items():
        conn.execute("SELECT set_config(%s, %s, false)", (name, value))


def table_names(conn: psycopg.Connection,
                excluded: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(schema, table) of every ordinary user table outside the `excluded` schemas."""
    skip = [*SYSTEM_SCHEMAS, *excluded]
    return [(s, t) for s, t in conn.execute(_TABLES, (skip,)).fetchall()]


def columns_by_text(conn: psycopg.Connection) -> dict[str, list[str]]:
    """"schema.table" -> the columns to hash in order, for tables with an OID-bearing column
    (hashed by text) or a stored generated column (left out) only."""
    oid_bearing = {typ for (typ,) in conn.execute(_OID_BEARING_TYPES, (list(OID_TYPES),))}
    columns: dict[str, list[tuple[str, bool]]] = {}
    special: set[str] = set()
    for schema, table, column, typ, generated in conn.execute(_COLUMNS):
        name = f"{schema}.{table}"
        columns.setdefault(name, [])
        if generated or typ in oid_bearing:
            special.add(name)
        if not generated:
            columns[name].append((column, typ in oid_bearing))
    return {name: [_column(col, by_text) for col, by_text in columns[name]]
            for name in special}


def _column(name: str, by_text: bool) -> str:
    quoted = sql.Identifier(name).as_string(None)
    return f"t.{quoted}::text" if by_text else f"t.{quoted}"


def table_stats(conn: psycopg.Connection, schema: str, table: str,
                method: str | None = None, columns: list[str] | None = None) -> TableStats:
    """Row count and checksum of one table, in the connection's current snapshot.

    Runs in a savepoint, so a table the row hash cannot handle does not abort the snapshot's
    transaction; `method` forces the method a manifest used; `columns` (from columns_by_text)
    hashes OID-bearing columns by their text form (default: the table row as it is).
    """
    row = sql.SQL(f"ROW({', '.join(columns)})" if columns is not None else "t")
    for name in [method] if method else list(CHECKSUMS):
        query = sql.SQL(CHECKSUMS[name]).format(row=row, table=sql.Identifier(schema, table))
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


def all_table_stats(conn: psycopg.Connection, methods: dict[str, str] | None = None,
                    excluded: tuple[str, ...] = ()) -> list[TableStats]:
    """Stats of every user table outside the `excluded` schemas; the caller chooses the
    snapshot (transaction) they see.

    `methods` maps "schema.table" to the checksum method to use (a manifest's).
    """
    pin_settings(conn)
    methods = methods or {}
    by_text = columns_by_text(conn)
    return [table_stats(conn, schema, table, methods.get(f"{schema}.{table}"),
                        by_text.get(f"{schema}.{table}"))
            for schema, table in table_names(conn, excluded)]


@dataclass(frozen=True)
class Extension:
    """An extension the dump creates: a restore target must be able to create it too."""

    name: str
    version: str
    schema: str
    tables: list[str] = field(default_factory=list)  # "schema.table" it creates and owns


_EXTENSIONS = """
SELECT e.extname, e.extversion, n.nspname,
       coalesce(array_agg(cn.nspname || '.' || c.relname ORDER BY 1) FILTER (
           WHERE c.oid IS NOT NULL), '{}')
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
     AND d.classid = 'pg_class'::regclass AND d.deptype = 'e'
LEFT JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'r'
LEFT JOIN pg_namespace cn ON cn.oid = c.relnamespace
GROUP BY 1, 2, 3 ORDER BY 1
"""


def extensions(conn: psycopg.Connection) -> list[Extension]:
    """Every extension, with the tables it owns (a restore without it lacks them)."""
    return [Extension(name, version, schema, list(tables))
            for name, version, schema, tables in conn.execute(_EXTENSIONS)]


def roles(conn: psycopg.Connection) -> list[Role]:
    """Every non-predefined role with the attributes isolation depends on."""
    return [Role(name, bool(su), bool(bypass), bool(inherit), list(member_of), bool(createrole))
            for name, su, bypass, inherit, createrole, member_of
            in conn.execute(_ROLES).fetchall()]


def can_bypass_rls(conn: psycopg.Connection) -> bool:
    """True when the session's role sees every row (superuser or BYPASSRLS)."""
    row = conn.execute(
        "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    return bool(row and row[0])
