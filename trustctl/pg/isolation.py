"""The isolation probe: through real tenant sessions (sessions.py), no tenant reads another's rows.

For a sample of tenants and every tenant table, each tenant role opens a session for the tenant
and counts the rows it sees of tenants outside the session (a leak: a finding) and of its own
tenant. Own rows are the positive control, per table: where the tenant has rows, a session that
sees none proves nothing there, and the probe says it could not check rather than pass. An
anonymous role (`anon`) must read no tenant row at all. The true counts come from the drill's
own connection, which bypasses RLS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from trustctl.errors import DependencyError
from trustctl.pg.sessions import Recipe, TenantSession, recipe_for
from trustctl.pg.tenancy import Tenancy, TenantTable, tenant_tables

TENANT_SAMPLE = 3
CANDIDATES_PER_TABLE = 20


@dataclass
class Isolation:
    """What the sessions saw, in figures an auditor can check against the data."""

    recipe: str
    roles: list[str]
    tenants: list[str] = field(default_factory=list)
    tables: int = 0
    sessions: int = 0
    leaked_rows: int = 0
    own_expected: int = 0
    own_seen: int = 0
    blind: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"recipe {self.recipe}, {len(self.tenants)} tenants x {self.tables} tables as "
                f"{', '.join(self.roles)}: {self.leaked_rows} rows of other tenants visible, "
                f"own rows seen in {self.own_seen} of {self.own_expected} (table, tenant) pairs "
                "that hold some")

    def facts(self) -> dict:
        return {"recipe": self.recipe, "roles": self.roles, "tenants": self.tenants,
                "sessions": self.sessions, "blind": self.blind, "unreadable": self.unreadable}


@dataclass(frozen=True)
class Probe:
    """The tenant tables with their tenant column and the true row counts of the sample."""

    tables: list[tuple[TenantTable, str]]
    tenants: list[str]
    truth: dict[str, dict[str, int]]

    def own_rows(self, table: str, tenant: str) -> int:
        return self.truth.get(table, {}).get(tenant, 0)


def probe_tables(conn: psycopg.Connection, tenancy: Tenancy, recipe: Recipe) -> Probe:
    """The tables to probe, a sample of tenants a session can be opened for, their counts."""
    tables = [(t, tenancy.column_of(t.name)) for t in tenant_tables(conn, tenancy)
              if tenancy.global_table(t.name) is None and tenancy.column_of(t.name) in t.columns]
    candidates: set[str] = set()
    for table, column in tables:
        query = sql.SQL("SELECT DISTINCT {}::text FROM {} WHERE {} IS NOT NULL ORDER BY 1 "
                        "LIMIT %s").format(sql.Identifier(column),
                                           sql.Identifier(table.schema, table.table),
                                           sql.Identifier(column))
        candidates.update(v for (v,) in conn.execute(query, (CANDIDATES_PER_TABLE,)))
        if len(candidates) >= CANDIDATES_PER_TABLE:
            break  # enough to choose from: spare the other tables a scan
    tenants = recipe.sample(conn, sorted(candidates))[:TENANT_SAMPLE]
    if len(tenants) < 2:
        raise DependencyError("fewer than two tenants in the restored data a session can be "
                              "opened for: isolation between tenants cannot be shown")
    truth = {}
    for table, column in tables:
        query = sql.SQL("SELECT {col}::text, count(*) FROM {table} WHERE {col}::text = ANY(%s) "
                        "GROUP BY 1").format(col=sql.Identifier(column),
                                             table=sql.Identifier(table.schema, table.table))
        truth[table.name] = dict(conn.execute(query, (tenants,)).fetchall())
    return Probe(tables, tenants, truth)


def cross_tenant_reads(conn: psycopg.Connection, tenancy: Tenancy) -> Isolation:
    """As every application role, in sessions of sampled tenants, counts rows of other tenants."""
    recipe = recipe_for(tenancy)
    missing = [r for r in tenancy.app_roles if not _role_exists(conn, r)]
    if missing or not tenancy.app_roles:
        raise DependencyError(f"application role(s) {', '.join(missing) or '(none)'} not among "
                              "the backup's roles; declare app_roles or pass --app-role")
    probe = probe_tables(conn, tenancy, recipe)
    seen = Isolation(recipe.name, list(tenancy.app_roles), probe.tenants, len(probe.tables))
    for role in tenancy.tenant_roles:
        for table, column in probe.tables:
            _probe_tenants(conn, recipe, probe, seen, role, table, column)
    for role in tenancy.anonymous_roles:
        for table, column in probe.tables:
            _probe_anonymous(conn, recipe, seen, role, table, column)
    if not seen.findings and (seen.blind or not seen.own_expected):
        where = ", ".join(seen.blind[:3]) or "any table"
        raise DependencyError(f"a tenant session sees none of its own rows in {where}: the "
                              "check would prove nothing there (is the tenant-session recipe "
                              "right?)")
    return seen


def _probe_tenants(conn: psycopg.Connection, recipe: Recipe, probe: Probe, seen: Isolation,
                   role: str, table: TenantTable, column: str) -> None:
    for tenant in probe.tenants:
        session = recipe.session(role, tenant)
        counts = _visible(conn, recipe, session, table, column)
        if counts is None:
            seen.unreadable.append(f"{table.name} by {role}")
            return
        leaked, own = counts
        seen.sessions += 1
        seen.leaked_rows += leaked
        if probe.own_rows(table.name, tenant):
            seen.own_expected += 1
            seen.own_seen += own > 0
            if not own:
                seen.blind.append(f"{table.name} (tenant {tenant})")
        if leaked:
            seen.findings.append(f"table {table.name}: a session of {session.describe()} "
                                 f"({recipe.name}) reads {leaked} rows of other tenants")
            return


def _probe_anonymous(conn: psycopg.Connection, recipe: Recipe, seen: Isolation, role: str,
                     table: TenantTable, column: str) -> None:
    counts = _visible(conn, recipe, recipe.session(role, None), table, column)
    if counts is None:
        return  # may not read it at all: reads no row
    seen.sessions += 1
    seen.leaked_rows += counts[0]
    if counts[0]:
        seen.findings.append(f"table {table.name}: an anonymous session as {role} reads "
                             f"{counts[0]} tenant rows")


def _visible(conn: psycopg.Connection, recipe: Recipe, session: TenantSession,
             table: TenantTable, column: str) -> tuple[int, int] | None:
    """(rows outside the session's tenants, rows of its tenant), None if it may not read."""
    query = sql.SQL("SELECT count(*) FILTER (WHERE coalesce({col}::text = ANY(%s), false) IS "
                    "FALSE), count(*) FILTER (WHERE {col}::text = %s) FROM {table}").format(
        col=sql.Identifier(column), table=sql.Identifier(table.schema, table.table))
    try:
        with recipe.entered(conn, session):
            leaked, own = conn.execute(query, (sorted(session.tenants), session.tenant)).fetchone()
    except psycopg.errors.InsufficientPrivilege:
        return None
    return int(leaked), int(own)


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None
