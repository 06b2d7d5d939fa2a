"""The write probe (the drill's, on its scratch copy only: the audit never writes): as tenant A,
inside a transaction that is always rolled back, no write reaches tenant B.

For each tenant table whose rows carry their tenant, and one pair of sampled tenants (A, B) per
tenant role: UPDATE and DELETE of B's rows must affect 0 rows (or be refused); an UPDATE moving
one of A's rows to B, and an INSERT of a copy of one of A's rows carrying B's tenant, must be
refused. Bounded: one row at most per operation. Every cell of the matrix (role x table x
operation) is recorded: `0 rows`, `refused`, `allowed` (a finding) or `untried` and why (the
table has no row of A or B, or the database refused for another reason, e.g. a unique key).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from trustctl.pg.isolation import Probe
from trustctl.pg.ownership import Owner
from trustctl.pg.sessions import Recipe

OPERATIONS = ("UPDATE B's rows", "DELETE B's rows", "UPDATE A's row to B", "INSERT B's row")
_INSERTABLE = """
SELECT a.attname FROM pg_attribute a
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attgenerated = '' AND a.attidentity = '' AND NOT a.atthasdef
ORDER BY a.attnum
"""


@dataclass
class Writes:
    matrix: list[dict] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        tried = [c for c in self.matrix if c["result"] != "untried"]
        allowed = [c for c in tried if c["result"] == "allowed"]
        return (f"{len(tried)} cross-tenant writes tried in rolled-back sessions "
                f"({len(self.matrix) - len(tried)} untried): {len(allowed)} allowed")


def cross_tenant_writes(conn: psycopg.Connection, probe: Probe,
                        roles: tuple[str, ...]) -> Writes:
    """Tries every operation of the matrix; nothing outlives its transaction."""
    recipe = probe.recipe
    writes = Writes()
    a, b = probe.tenants[0], probe.tenants[1]
    for role in roles:
        session = recipe.session(role, a)
        if b in session.tenants:
            continue  # the member may act for B too: not a cross-tenant write
        for owner in probe.owners:
            if not owner.direct or owner.table.partition:
                continue
            rows = {t: _one_row(conn, owner, t) for t in (a, b)}
            for operation in OPERATIONS:
                row = rows[a if operation in OPERATIONS[2:] else b]
                result = ("untried: no row to write" if row is None else
                          _try(conn, recipe, session, owner, operation, b, row))
                writes.matrix.append({"role": role, "table": owner.table.name,
                                      "operation": operation, "result": result})
                if result == "allowed":
                    writes.findings.append(f"table {owner.table.name}: a session of "
                                           f"{session.describe()} may {operation} "
                                           f"(tenant B {b})")
    return writes


def _one_row(conn: psycopg.Connection, owner: Owner, tenant: str) -> tuple[str, str] | None:
    """The address of one of the tenant's rows (its table's oid and ctid: a partitioned table's
    partitions repeat each other's ctids), found by the prober's own connection: the session
    then reaches it by address alone, whatever the policies let it see (no scan)."""
    found = conn.execute(sql.SQL("SELECT tableoid::oid::text, ctid::text FROM {} WHERE {} = %s "
                                 "LIMIT 1").format(
        sql.Identifier(owner.table.schema, owner.table.table), sql.Identifier(owner.column)),
        (tenant,)).fetchone()
    return None if found is None else (found[0], found[1])


def _try(conn: psycopg.Connection, recipe: Recipe, session: object, owner: Owner,
         operation: str, b: str, row: tuple[str, str]) -> str:
    table = sql.Identifier(owner.table.schema, owner.table.table)
    col = sql.Identifier(owner.column)
    one = sql.SQL("tableoid = %s::oid AND ctid = %s::tid")
    if operation == OPERATIONS[0]:
        query, params = sql.SQL("UPDATE {t} SET {c} = {c} WHERE {one}").format(
            t=table, c=col, one=one), row
    elif operation == OPERATIONS[1]:
        query, params = sql.SQL("DELETE FROM {t} WHERE {one}").format(t=table, one=one), row
    elif operation == OPERATIONS[2]:
        query, params = sql.SQL("UPDATE {t} SET {c} = %s WHERE {one}").format(
            t=table, c=col, one=one), (b, *row)
    else:
        columns = [c for (c,) in conn.execute(_INSERTABLE, (owner.table.name,))]
        if owner.column not in columns:
            return "untried: the tenant column has a default"
        values = [sql.SQL("%s") if c == owner.column else sql.Identifier(c) for c in columns]
        query = sql.SQL("INSERT INTO {t} ({cols}) SELECT {vals} FROM {t} WHERE {one}").format(
            t=table, cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
            vals=sql.SQL(", ").join(values), one=one)
        params = (b, *row)
    try:
        with recipe.entered(conn, session):  # type: ignore[arg-type]
            affected = conn.execute(query, params).rowcount
    except psycopg.errors.InsufficientPrivilege:
        return "refused"
    except psycopg.Error as exc:
        return f"untried: {exc.diag.sqlstate} {exc.diag.message_primary}"
    if operation in OPERATIONS[:2]:
        return "0 rows" if affected == 0 else "allowed"
    return "allowed" if affected else "0 rows"
