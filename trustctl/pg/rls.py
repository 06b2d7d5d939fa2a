"""Tenant isolation in a database, shared by the drill (on a restore) and the audit (live).

Each check returns its findings (empty = pass).
- RLS posture: every table of the tenant schemas has the tenant column, RLS enabled AND forced
  (owners bypass RLS unless it is forced) and at least one policy;
- isolation: as the application role (checked to own no table and to lack BYPASSRLS), a session
  for one tenant reads none of another tenant's rows, table by table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from trustctl.errors import DependencyError

TENANT_SAMPLE = 3
_SETTING_IN_POLICY = re.compile(r"current_setting\(\s*'([^']+)'")

_POSTURE = """
SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
       EXISTS (SELECT 1 FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = %s AND NOT a.attisdropped)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)
ORDER BY 1, 2
"""
_POLICY_TEXT = """
SELECT coalesce(qual, '') || ' ' || coalesce(with_check, '') FROM pg_policies
WHERE schemaname = ANY(%s)
"""
_ROLE = "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s"
_OWNED = """
SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE pg_get_userbyid(c.relowner) = %s AND c.relkind IN ('r', 'p') ORDER BY 1
"""


@dataclass
class Posture:
    """What the RLS posture check saw: how many tenant tables, how many fall short, and why."""

    tables: int = 0
    short: int = 0
    findings: list[str] = field(default_factory=list)

    def summary(self, schemas: list[str], column: str) -> str:
        where = f"{self.tables} tables in {', '.join(schemas)}"
        if not self.short:
            return f"{where}: {column}, RLS enabled and forced, a policy on each"
        return (f"{where}: {self.tables - self.short} with {column}, RLS enabled and forced and "
                f"a policy; {self.short} without (see findings)")


def rls_posture(conn: psycopg.Connection, schemas: list[str], column: str) -> Posture:
    """Tenant column, RLS enabled and forced, and a policy on every tenant table."""
    rows = conn.execute(_POSTURE, (column, schemas)).fetchall()
    if not rows:
        return Posture(findings=[f"no table found in tenant schemas {', '.join(schemas)}"])
    posture = Posture(tables=len(rows))
    for schema, table, enabled, forced, policies, has_column in rows:
        name = f"{schema}.{table}"
        before = len(posture.findings)
        if not has_column:
            posture.findings.append(f"table {name} has no {column} column")
        if not enabled:
            posture.findings.append(f"table {name}: row-level security is disabled")
        elif not forced:
            posture.findings.append(f"table {name}: row-level security is not forced (its "
                                    "owner bypasses it)")
        if policies == 0:
            posture.findings.append(f"table {name} has no RLS policy")
        posture.short += len(posture.findings) > before
    return posture


def tenant_setting(conn: psycopg.Connection, schemas: list[str]) -> str | None:
    """The setting the policies read the current tenant from, e.g. app.tenant_id."""
    names = {match for (text,) in conn.execute(_POLICY_TEXT, (schemas,))
             for match in _SETTING_IN_POLICY.findall(text)}
    return sorted(names)[0] if len(names) == 1 else None


def app_role_findings(conn: psycopg.Connection, app_role: str) -> list[str]:
    """The application role must exist, not be superuser, lack BYPASSRLS and own no table."""
    row = conn.execute(_ROLE, (app_role,)).fetchone()
    if row is None:
        raise DependencyError(f"application role {app_role} is not among the backup's roles; "
                              "pass --app-role")
    findings = []
    if row[0]:
        findings.append(f"application role {app_role} is a superuser (bypasses RLS)")
    if row[1]:
        findings.append(f"application role {app_role} has BYPASSRLS")
    owned = [name for (name,) in conn.execute(_OWNED, (app_role,))]
    if owned:
        findings.append(f"application role {app_role} owns {', '.join(owned)} (owners bypass "
                        "unforced RLS)")
    return findings


@dataclass
class Isolation:
    """What the tenant sessions saw, in figures an auditor can check against the data."""

    tenants: int
    tables: int
    sessions: int = 0
    sessions_with_own_rows: int = 0
    leaked_rows: int = 0
    findings: list[str] = field(default_factory=list)

    def summary(self, app_role: str, setting: str) -> str:
        return (f"{self.tenants} tenants x {self.tables} tables as {app_role} ({setting}): "
                f"{self.leaked_rows} rows of other tenants visible, own rows visible in "
                f"{self.sessions_with_own_rows} of {self.sessions} sessions")


def cross_tenant_reads(conn: psycopg.Connection, app_role: str, setting: str,
                       schemas: list[str], column: str) -> Isolation:
    """As `app_role`, for a sample of tenants, counts rows of other tenants it can read."""
    tables = [(s, t) for s, t, *_rest, has_column in conn.execute(_POSTURE, (column, schemas))
              if has_column]
    tenants = _sample_tenants(conn, tables, column)
    if len(tenants) < 2:
        raise DependencyError("fewer than two tenants in the restored data: isolation between "
                              "tenants cannot be shown")
    seen = Isolation(tenants=len(tenants), tables=len(tables))
    for schema, table in tables:
        for tenant in tenants:
            result = _tenant_view(conn, app_role, setting, schema, table, column, tenant)
            if isinstance(result, str):
                seen.findings.append(f"table {schema}.{table}: {result}")
                break
            leaked, own = result
            seen.sessions += 1
            seen.sessions_with_own_rows += own > 0
            seen.leaked_rows += leaked
            if leaked:
                seen.findings.append(f"table {schema}.{table}: a session of tenant {tenant} as "
                                     f"{app_role} reads {leaked} rows of other tenants")
                break
    if not seen.sessions_with_own_rows and not seen.findings:
        raise DependencyError(f"a tenant session as {app_role} sees none of its own rows: the "
                              f"check would prove nothing (is {setting} the right setting?)")
    return seen


def _sample_tenants(conn: psycopg.Connection, tables: list[tuple[str, str]],
                    column: str) -> list[str]:
    seen: set[str] = set()
    for schema, table in tables:
        query = sql.SQL("SELECT DISTINCT {}::text FROM {} ORDER BY 1 LIMIT %s").format(
            sql.Identifier(column), sql.Identifier(schema, table))
        seen.update(value for (value,) in conn.execute(query, (TENANT_SAMPLE,)) if value)
        if len(seen) >= TENANT_SAMPLE:
            break
    return sorted(seen)[:TENANT_SAMPLE]


def _tenant_view(conn: psycopg.Connection, app_role: str, setting: str, schema: str,
                 table: str, column: str, tenant: str) -> tuple[int, int] | str:
    """(rows of other tenants, own rows) a tenant session sees, or why it could not read.

    Own rows are the positive control: a session that sees nothing proves nothing.
    """
    query = sql.SQL("SELECT count(*) FILTER (WHERE {col}::text IS DISTINCT FROM %s), "
                    "count(*) FILTER (WHERE {col}::text = %s) FROM {table}").format(
        col=sql.Identifier(column), table=sql.Identifier(schema, table))
    try:
        with conn.transaction():
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(app_role)))
            conn.execute("SELECT set_config('row_security', 'on', true)")
            conn.execute("SELECT set_config(%s, %s, true)", (setting, tenant))
            leaked, own = conn.execute(query, (tenant, tenant)).fetchone()
            return int(leaked), int(own)
    except psycopg.errors.InsufficientPrivilege:
        return f"{app_role} may not read it"
