"""The export promise ("you can export everything as CSV any time"), rehearsed after a restore.

One sampled tenant's data is exported as CSV, table by table, through a tenant session as the
application role (the same recipe the isolation probe uses), the way a customer's export
would run. The export must hold exactly that tenant's rows of every tenant table: as many as
the database holds for it (counted by the drill's own connection, which bypasses RLS) and none
of another tenant. Partitions are exported through their partitioned parent. The CSV files are
written to the scratch workspace, which the teardown removes.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from trustctl.pg.isolation import Probe
from trustctl.pg.sessions import Recipe


@dataclass
class Export:
    tenant: str
    role: str
    tables: int = 0
    rows: int = 0
    bytes: int = 0
    files: dict[str, dict] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verdict = "exactly its rows" if not self.findings else "NOT exactly its rows"
        return (f"tenant {self.tenant} as {self.role}: {self.tables} tables, {self.rows:,} rows, "
                f"{self.bytes:,} bytes of CSV: {verdict}")


def export_tenant(conn: psycopg.Connection, recipe: Recipe, probe: Probe, role: str,
                  directory: Path) -> Export:
    """Exports the first sampled tenant through its session and checks the CSV files."""
    session = recipe.session(role, probe.tenants[0])
    result = Export(session.tenant or "", role)
    directory.mkdir(parents=True, exist_ok=True)
    for table, column in probe.tables:
        if table.partition or table.name not in probe.readable.get(role, ()):
            continue  # a partition is exported through its parent; deny-all: nothing to export
        path = directory / f"{table.name}.csv"
        query = sql.SQL("COPY (SELECT * FROM {}) TO STDOUT WITH (FORMAT csv, HEADER)").format(
            sql.Identifier(table.schema, table.table))
        try:
            with (recipe.entered(conn, session), path.open("wb") as out,
                  conn.cursor().copy(query) as copy):
                for chunk in copy:
                    out.write(chunk)
        except psycopg.errors.InsufficientPrivilege:
            result.findings.append(f"table {table.name}: {role} may not read it: the tenant "
                                   "cannot export it")
            continue
        _check_file(result, path, table.name, column, session.tenants, probe)
    return result


def _check_file(result: Export, path: Path, table: str, column: str,
                tenants: frozenset[str], probe: Probe) -> None:
    per_tenant: dict[str, int] = {}
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        index = next(reader).index(column)
        for row in reader:
            per_tenant[row[index]] = per_tenant.get(row[index], 0) + 1
    rows = sum(per_tenant.values())
    data = path.read_bytes()
    result.tables += 1
    result.rows += rows
    result.bytes += len(data)
    result.files[table] = {"rows": rows, "bytes": len(data),
                           "sha256": hashlib.sha256(data).hexdigest()}
    foreign = sum(n for t, n in per_tenant.items() if t not in tenants)
    if foreign:
        result.findings.append(f"table {table}: the export of tenant {result.tenant} holds "
                               f"{foreign} rows of other tenants")
    want, got = probe.own_rows(table, result.tenant), per_tenant.get(result.tenant, 0)
    if got != want:
        result.findings.append(f"table {table}: the export holds {got} rows of tenant "
                               f"{result.tenant}, the database {want}")
