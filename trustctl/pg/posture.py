"""The RLS posture rule: what the catalog must show for row-level security to isolate tenants.

- An application role (one serving tenant traffic: Supabase's `authenticated` and `anon`, or
  the app's own role) is never superuser or BYPASSRLS, cannot become (is not a member of) a
  role that is, and owns no tenant table (an owner bypasses unforced RLS and can disable it).
- Every tenant table (partitions included: read directly, a partition ignores its parent's
  policies) has its tenant column, RLS enabled and at least one policy, and no permissive
  `USING (true)` policy for an application role. FORCE is required only where an application
  role could become the owner: on Supabase the owners (`postgres`, `supabase_admin`) serve no
  tenant traffic, and FORCE there protects nothing.
- A table without the tenant column is acceptable only when declared global (reason, owner,
  expiry, like the gate's exceptions; an expired one fails) and read-only to the application
  roles.
- Roles that bypass RLS by design (`service_role`, `postgres`, the backup role) are reported
  with who may use them, not failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import psycopg

from trustctl.pg.tenancy import GlobalTable, Tenancy, TenantTable, tenant_tables

WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")

_ROLES = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       coalesce(array_agg(m.rolname ORDER BY m.rolname) FILTER (
           WHERE m.rolname IS NOT NULL AND m.oid <> r.oid), '{}')
FROM pg_roles r
LEFT JOIN pg_roles m ON m.rolname !~ '^pg_' AND NOT m.rolsuper
    AND pg_has_role(m.oid, r.oid, 'MEMBER')
WHERE r.rolname !~ '^pg_'
GROUP BY 1, 2, 3 ORDER BY 1
"""
_TABLE_FACTS = """
SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
       (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i
        JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE i.inhrelid = c.oid AND c.relispartition)
FROM pg_class c WHERE c.oid = %s::regclass
"""
_POLICIES = """
SELECT policyname, permissive, roles::text[], coalesce(qual, ''), coalesce(with_check, '')
FROM pg_policies WHERE schemaname = %s AND tablename = %s ORDER BY 1
"""
_CAN_BECOME = "SELECT pg_has_role(%s, %s, 'MEMBER')"
_PRIVILEGE = "SELECT has_table_privilege(%s, %s::regclass, %s)"


@dataclass
class RoleFacts:
    name: str
    superuser: bool
    bypassrls: bool
    members: list[str]

    @property
    def bypasses(self) -> bool:
        return self.superuser or self.bypassrls

    def to_json(self) -> dict:
        return {"role": self.name, "superuser": self.superuser, "bypassrls": self.bypassrls,
                "can_be_used_by": self.members}


@dataclass
class Posture:
    """What the rule saw: tenant and global tables, the roles, and every shortfall."""

    tables: int = 0
    short: set[str] = field(default_factory=set)
    globals_: list[str] = field(default_factory=list)
    app_roles: list[str] = field(default_factory=list)
    bypass_roles: list[RoleFacts] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def add(self, table: str | None, message: str) -> None:
        self.findings.append(message)
        if table:
            self.short.add(table)

    def summary(self, tenancy: Tenancy) -> str:
        where = f"{self.tables} tenant tables in {', '.join(tenancy.tenant_schemas)}"
        roles = ", ".join(self.app_roles) or "none"
        bypass = ", ".join(r.name for r in self.bypass_roles) or "none"
        globals_ = f"; {len(self.globals_)} global (read-only)" if self.globals_ else ""
        if not self.findings:
            verdict = ("tenant column, RLS enabled and a policy on each, no application role "
                       "owns one or bypasses RLS")
        else:
            verdict = (f"{self.tables - len(self.short)} as the rule wants, {len(self.short)} "
                       f"short, {len(self.findings)} finding(s) (see findings)")
        return (f"{where}{globals_}: {verdict}; application roles: {roles}; bypass RLS by "
                f"design (reported): {bypass}")

    def facts(self) -> dict:
        return {"application_roles": self.app_roles,
                "bypass_roles": [r.to_json() for r in self.bypass_roles],
                "global_tables": self.globals_}


def rls_posture(conn: psycopg.Connection, tenancy: Tenancy,
                today: dt.date | None = None) -> Posture:
    """Applies the rule (module docstring) to the database `conn` is on."""
    today = today or dt.date.today()
    roles = {name: RoleFacts(name, su, bypass, list(members))
             for name, su, bypass, members in conn.execute(_ROLES)}
    posture = Posture(app_roles=[r for r in tenancy.app_roles if r in roles])
    posture.bypass_roles = [r for r in roles.values()
                            if r.bypasses and r.name not in tenancy.app_roles]
    for role in posture.app_roles:
        _check_app_role(posture, roles, role)
    tables = tenant_tables(conn, tenancy)
    if not tables:
        posture.add(None, f"no table found in tenant schemas {', '.join(tenancy.tenant_schemas)}")
    names = {t.name for t in tables}
    for declared in tenancy.global_tables:
        if declared.table not in names:
            posture.add(declared.table, f"global table {declared.table} is declared but does "
                        "not exist: remove it from the tenancy file")
    for table in tables:
        declared = tenancy.global_table(table.name)
        if declared is not None:
            posture.globals_.append(table.name)
            _check_global(conn, posture, table, declared, today)
        else:
            posture.tables += 1
            _check_tenant_table(conn, posture, tenancy, table)
    return posture


def _check_app_role(posture: Posture, roles: dict[str, RoleFacts], role: str) -> None:
    facts = roles[role]
    if facts.superuser:
        posture.add(None, f"application role {role} is a superuser (bypasses RLS)")
    if facts.bypassrls:
        posture.add(None, f"application role {role} has BYPASSRLS (sees every tenant's rows)")
    for other in roles.values():
        if other.bypasses and other.name != role and role in other.members:
            posture.add(None, f"application role {role} can become {other.name}, which "
                        "bypasses RLS")


def _check_tenant_table(conn: psycopg.Connection, posture: Posture, tenancy: Tenancy,
                        table: TenantTable) -> None:
    name = table.name
    enabled, forced, owner, parent = conn.execute(_TABLE_FACTS, (name,)).fetchone()
    column = tenancy.column_of(name)
    if column not in table.columns:
        posture.add(name, f"table {name} has no {column} column: declare its tenant column "
                    "or declare it global in the tenancy file")
    if not enabled:
        posture.add(name, f"table {name}: row-level security is disabled" + (
            f" (a partition of {parent}: read directly, it ignores {parent}'s policies)"
            if parent else ""))
    policies = conn.execute(_POLICIES, (table.schema, table.table)).fetchall()
    if not policies:
        posture.add(name, f"table {name} has no RLS policy")
    for policy, permissive, applies_to, using, check in policies:
        hit = [r for r in applies_to if r == "public" or r in tenancy.app_roles]
        if permissive == "PERMISSIVE" and hit and "true" in (using.strip(), check.strip()):
            posture.add(name, f"table {name}: policy {policy!r} is USING (true) for "
                        f"{', '.join(hit)}: every tenant's rows pass it")
    for role in posture.app_roles:
        if owner == role:
            posture.add(name, f"table {name} is owned by application role {role} (an owner "
                        "bypasses RLS and can disable it)")
        elif not forced and conn.execute(_CAN_BECOME, (role, owner)).fetchone()[0]:
            posture.add(name, f"table {name}: application role {role} can become its owner "
                        f"{owner} and RLS is not forced (owners bypass it)")


def _check_global(conn: psycopg.Connection, posture: Posture, table: TenantTable,
                  declared: GlobalTable, today: dt.date) -> None:
    if declared.expired(today):
        posture.add(table.name, f"global table {table.name}: its review expired on "
                    f"{declared.expires} (owner {declared.owner}): review it again")
    for role in posture.app_roles:
        writes = [p for p in WRITES
                  if conn.execute(_PRIVILEGE, (role, table.name, p)).fetchone()[0]]
        if writes:
            posture.add(table.name, f"global table {table.name}: {role} may "
                        f"{', '.join(writes)} (a global table must be read-only to the "
                        "application roles)")
