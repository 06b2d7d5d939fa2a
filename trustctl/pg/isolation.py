"""The read probe: through real tenant sessions (sessions.py), no tenant reads another's rows.

For a sample of tenants and every tenant table (posture.py decides which they are, and
ownership.py how each row names its tenant), each tenant role opens a session for the tenant
and counts the rows it sees of tenants outside the session (a leak: a finding) and of its own
tenant. A row reached through foreign keys is attributed to its tenant by the prober's own
connection, not through the session (whose view of the parents is filtered too). Own rows are
the positive control, per table the role may read: where the tenant has rows, a session that
sees none proves nothing there, and the probe says it could not check rather than pass. An
anonymous role (`anon`) must read no tenant row at all. The true counts come from the prober's
own connection, which bypasses RLS. Nothing is written: each session is a transaction rolled
back, and runs in a READ ONLY one when the connection is read-only (the audit's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from trustctl.errors import DependencyError
from trustctl.pg.ownership import Owner
from trustctl.pg.posture import Posture
from trustctl.pg.sessions import Recipe, TenantSession, recipe_for
from trustctl.pg.tenancy import Tenancy, TenantTable

TENANT_SAMPLE = 3
CANDIDATES_PER_TABLE = 20
KEY_GROUPS = 10_000  # distinct keys a session may see; beyond, a probe that saw no leak cannot say


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
    probe: Probe | None = None  # what was probed: the write probe and the export reuse it

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
    """The tenant tables, the sampled tenants, their true row counts, what each role reads."""

    owners: list[Owner]
    tenants: list[str]
    truth: dict[str, dict[str, int]]
    readable: dict[str, set[str]]
    recipe: Recipe  # the one that sampled the tenants (a membership recipe knows their members)

    @property
    def tables(self) -> list[tuple[TenantTable, str]]:
        """The tables whose rows carry their tenant themselves, with that column."""
        return [(o.table, o.column) for o in self.owners if o.direct]

    def own_rows(self, table: str, tenant: str) -> int:
        return self.truth.get(table, {}).get(tenant, 0)


def probe_tables(conn: psycopg.Connection, posture: Posture, recipe: Recipe) -> Probe:
    """The tables to probe, a sample of tenants a session can be opened for, their counts."""
    owners = [posture.ownership.owners[n] for n in posture.tenant
              if n in posture.ownership.owners]
    candidates: set[str] = set()
    for owner in owners:
        if not owner.direct:
            continue
        query = sql.SQL("SELECT DISTINCT {col}::text FROM {table} WHERE {col} IS NOT NULL "
                        "ORDER BY 1 LIMIT %s").format(col=sql.Identifier(owner.column),
                                                      table=_ident(owner.table))
        candidates.update(v for (v,) in conn.execute(query, (CANDIDATES_PER_TABLE,)))
        if len(candidates) >= CANDIDATES_PER_TABLE:
            break  # enough to choose from: spare the other tables a scan
    tenants = recipe.sample(conn, sorted(candidates))[:TENANT_SAMPLE]
    if len(tenants) < 2:
        raise DependencyError("fewer than two tenants in the data a session can be opened "
                              "for: isolation between tenants cannot be shown")
    truth = {}
    for owner in owners:
        rows, tenant = owner.rows()
        query = sql.SQL("SELECT {tenant}::text, count(*) {rows} WHERE {tenant}::text = ANY(%s) "
                        "GROUP BY 1").format(tenant=tenant, rows=rows)
        truth[owner.table.name] = dict(conn.execute(query, (tenants,)).fetchall())
    return Probe(owners, tenants, truth, posture.readable, recipe)


def cross_tenant_reads(conn: psycopg.Connection, tenancy: Tenancy,
                       posture: Posture) -> Isolation:
    """As every application role, in sessions of sampled tenants, counts rows of other tenants."""
    recipe = recipe_for(tenancy)
    missing = [r for r in tenancy.app_roles if r not in posture.app_roles]
    if missing or not tenancy.app_roles:
        raise DependencyError(f"application role(s) {', '.join(missing) or '(none)'} not among "
                              "the database's roles; declare app_roles or pass --app-role")
    for role in tenancy.app_roles:
        if not conn.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", (role,)
                            ).fetchone()[0]:
            raise DependencyError(f"this connection's role cannot act as application role "
                                  f"{role} (SET ROLE): GRANT {role} TO it, or connect as one "
                                  "that may")
    probe = probe_tables(conn, posture, recipe)
    seen = Isolation(recipe.name, list(tenancy.app_roles), probe.tenants, len(probe.owners),
                     probe=probe)
    for role in tenancy.tenant_roles:
        for owner in probe.owners:
            _probe_tenants(conn, recipe, probe, seen, role, owner)
    for role in tenancy.anonymous_roles:
        for owner in probe.owners:
            _probe_anonymous(conn, recipe, seen, role, owner)
    if not seen.findings and (seen.blind or not seen.own_expected):
        where = ", ".join(seen.blind[:3]) or "any table"
        raise DependencyError(f"a tenant session sees none of its own rows in {where}: the "
                              "check would prove nothing there (is the tenant-session recipe "
                              "right?)")
    return seen


def _probe_tenants(conn: psycopg.Connection, recipe: Recipe, probe: Probe, seen: Isolation,
                   role: str, owner: Owner) -> None:
    name = owner.table.name
    for tenant in probe.tenants:
        session = recipe.session(role, tenant)
        counts = visible(conn, recipe, session, owner)
        if counts is None:
            seen.unreadable.append(f"{name} by {role}")
            return
        leaked, own = counts
        seen.sessions += 1
        seen.leaked_rows += leaked
        if probe.own_rows(name, tenant) and name in probe.readable.get(role, ()):
            seen.own_expected += 1
            seen.own_seen += own > 0
            if not own:
                seen.blind.append(f"{name} (tenant {tenant})")
        if leaked:
            seen.findings.append(f"table {name}: a session of {session.describe()} "
                                 f"({recipe.name}) reads {leaked} rows of other tenants")
            return


def _probe_anonymous(conn: psycopg.Connection, recipe: Recipe, seen: Isolation, role: str,
                     owner: Owner) -> None:
    counts = visible(conn, recipe, recipe.session(role, None), owner)
    if counts is None:
        return  # may not read it at all: reads no row
    seen.sessions += 1
    seen.leaked_rows += counts[0]
    if counts[0]:
        seen.findings.append(f"table {owner.table.name}: an anonymous session as {role} reads "
                             f"{counts[0]} tenant rows")


def visible(conn: psycopg.Connection, recipe: Recipe, session: TenantSession,
            owner: Owner) -> tuple[int, int] | None:
    """(rows of tenants outside the session, rows of its tenant), None if it may not read.

    The session reports the keys it sees (grouped); the prober's connection names their tenants.
    """
    query = sql.SQL("SELECT {key}::text, count(*) FROM {table} WHERE {key} IS NOT NULL "
                    "GROUP BY 1 LIMIT %s").format(key=sql.Identifier(owner.key),
                                                  table=_ident(owner.table))
    try:
        with recipe.entered(conn, session):
            keys = dict(conn.execute(query, (KEY_GROUPS + 1,)).fetchall())
    except psycopg.errors.InsufficientPrivilege:
        return None
    tenants = (dict(conn.execute(owner.tenant_of_keys(), (list(keys),)).fetchall())
               if not owner.direct and keys else {k: k for k in keys})
    leaked = sum(n for k, n in keys.items()
                 if tenants.get(k) is not None and tenants[k] not in session.tenants)
    own = sum(n for k, n in keys.items() if tenants.get(k) == session.tenant)
    if len(keys) > KEY_GROUPS and not leaked:
        # the keys left uncounted may be the other tenants': no leak seen is no proof of none
        raise DependencyError(f"table {owner.table.name}: a session of {session.describe()} "
                              f"sees more than {KEY_GROUPS} distinct {owner.key} values: the "
                              "probe cannot attribute them all to tenants")
    return int(leaked), int(own)


def _ident(table: TenantTable) -> sql.Identifier:
    return sql.Identifier(table.schema, table.table)
