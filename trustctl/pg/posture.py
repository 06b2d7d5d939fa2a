"""The RLS posture rule: what the catalog must show for row-level security to isolate tenants.

- An application role (one serving tenant traffic: Supabase's `authenticated` and `anon`, or
  the app's own role) is never superuser or BYPASSRLS, cannot become (is not a member of) a
  role that is, and owns no tenant table (an owner bypasses unforced RLS and can disable it).
- Each table of the tenant schemas is one of: global (declared, reviewed: reason, owner,
  expiry; an expired review fails), deny-all (RLS on and no policy for an application role:
  only roles that bypass RLS read it, the strictest posture there is), out of reach (no
  application role holds a privilege on it), or a tenant table whose tenant is known
  (ownership.py). A table with no tenant, or an ambiguous one, is named with what to declare.
- A tenant table has RLS enabled (partitions included: read directly, a partition ignores its
  parent's policies). Its policies are judged per command, by the clause that governs it:
  SELECT, UPDATE, DELETE and ALL by USING, INSERT, UPDATE and ALL by WITH CHECK. A permissive
  policy for an application role whose clause is a tautology (policy_expr.py) is a hole unless
  a restrictive policy of the same command narrows it by the tenant: its clause names the
  table's tenant key (its tenant column, or the foreign key towards its tenant); one that
  filters on anything else (a status, a soft delete) leaves every tenant's rows. An INSERT that
  only creates a new tenant (the tenant column is the table's key) is not a hole. FORCE is
  required only where an application role could become the owner.
- A global table may be read by everyone; the database must refuse the application roles'
  INSERT, UPDATE and DELETE (RLS with no write policy does, whatever the grants). TRUNCATE is not
  governed by RLS: where an application role holds it, an advisory gives the exact REVOKE.
- Roles that bypass RLS by design (`service_role`, `postgres`, the backup role) are reported
  with who may use them, not failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import psycopg

from trustctl.pg.ownership import Owner, Ownership, resolve
from trustctl.pg.policy_expr import names_column, tautology
from trustctl.pg.tenancy import GlobalTable, Tenancy, TenantTable, tenant_tables

COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Which clause governs a command: USING filters the rows it reaches, WITH CHECK the rows it
# writes (UPDATE has both; ALL falls back to USING when it has no WITH CHECK).
_CLAUSES = {"SELECT": ("using",), "DELETE": ("using",), "INSERT": ("check",),
            "UPDATE": ("using", "check")}

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
SELECT policyname, permissive = 'PERMISSIVE', roles::text[], cmd, coalesce(qual, ''),
       coalesce(with_check, '')
FROM pg_policies WHERE schemaname = %s AND tablename = %s ORDER BY 1
"""
_KEY_IS = """
SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
               AND a.attnum = i.indkey[0]
               WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indnkeyatts = 1
               AND a.attname = %s)
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


@dataclass(frozen=True)
class Policy:
    name: str
    permissive: bool
    roles: tuple[str, ...]
    command: str  # SELECT, INSERT, UPDATE, DELETE or ALL
    using: str
    check: str

    def applies(self, acting: frozenset[str], command: str) -> bool:
        """Whether it governs `command` for a role acting as `acting` (Posture.acting)."""
        return (self.command in ("ALL", command)
                and ("public" in self.roles or not acting.isdisjoint(self.roles)))

    def clause(self, which: str) -> str:
        return self.using if which == "using" else (self.check or self.using)


@dataclass(frozen=True)
class Finding:
    """One shortfall: `kind` is role, table or policy (the audit reports each by its check)."""

    table: str | None
    message: str
    kind: str


@dataclass
class Posture:
    """What the rule saw: the tables by kind, the roles, every shortfall and advisory."""

    tenant: list[str] = field(default_factory=list)
    globals_: list[str] = field(default_factory=list)
    deny_all: list[str] = field(default_factory=list)
    out_of_reach: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # ambiguous: asks for a declaration
    app_roles: list[str] = field(default_factory=list)
    bypass_roles: list[RoleFacts] = field(default_factory=list)
    ownership: Ownership = field(default_factory=Ownership)
    readable: dict[str, set[str]] = field(default_factory=dict)  # role -> tables it may read
    # application role -> itself and every role it is a member of: a policy TO any of them
    # applies to it
    acting: dict[str, frozenset[str]] = field(default_factory=dict)
    shortfalls: list[Finding] = field(default_factory=list)
    advisories: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[str]:
        return [f.message for f in self.shortfalls]

    @property
    def short(self) -> set[str]:
        return {f.table for f in self.shortfalls if f.table}

    def add(self, table: str | None, message: str, kind: str = "table") -> None:
        self.shortfalls.append(Finding(table, message, kind))

    def summary(self, tenancy: Tenancy) -> str:
        judged = (len(self.tenant) + len(self.globals_) + len(self.deny_all)
                  + len(self.out_of_reach))
        through = sum(not o.direct for n, o in self.ownership.owners.items() if n in self.tenant)
        parts = [f"{len(self.tenant)} tenant tables in {', '.join(tenancy.tenant_schemas)}"
                 + (f" ({through} through foreign keys)" if through else "")]
        parts += [f"{len(v)} {k}" for k, v in (("global", self.globals_),
                                                ("deny-all", self.deny_all),
                                                ("out of the application roles' reach",
                                                 self.out_of_reach)) if v]
        roles = ", ".join(self.app_roles) or "none"
        bypass = ", ".join(r.name for r in self.bypass_roles) or "none"
        if self.shortfalls:
            verdict = (f"{len(self.short)} of {judged} tables short, {len(self.shortfalls)} "
                       "finding(s) (see findings)")
        else:
            verdict = ("RLS enabled on each tenant table, no policy admits another tenant's "
                       "rows, no application role owns one or bypasses RLS")
        undecided = f"; {len(self.undecided)} undecided" if self.undecided else ""
        return (f"{'; '.join(parts)}{undecided}: {verdict}; application roles: {roles}; bypass "
                f"RLS by design (reported): {bypass}")

    def facts(self) -> dict:
        return {"application_roles": self.app_roles,
                "bypass_roles": [r.to_json() for r in self.bypass_roles],
                "tenant_tables": self.tenant, "global_tables": self.globals_,
                "deny_all": self.deny_all, "out_of_reach": self.out_of_reach,
                "undecided": [self.ownership.ambiguous[t] for t in self.undecided],
                "ownership": self.ownership.why(), "advisories": self.advisories}


def rls_posture(conn: psycopg.Connection, tenancy: Tenancy,
                today: dt.date | None = None) -> Posture:
    """Applies the rule (module docstring) to the database `conn` is on."""
    today = today or dt.date.today()
    roles = {name: RoleFacts(name, su, bypass, list(members))
             for name, su, bypass, members in conn.execute(_ROLES)}
    posture = Posture(app_roles=[r for r in tenancy.app_roles if r in roles])
    posture.bypass_roles = [r for r in roles.values()
                            if r.bypasses and r.name not in tenancy.app_roles]
    posture.acting = {role: frozenset({role, *(r.name for r in roles.values()
                                               if role in r.members)})
                      for role in posture.app_roles}
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
    posture.ownership = resolve(conn, tenancy, tables)
    truncatable: dict[str, list[str]] = {}
    for table in tables:
        facts = _facts(conn, table, posture.app_roles)
        if facts.privileges.get("TRUNCATE"):
            truncatable.setdefault(table.schema, []).append(table.name)
        declared = tenancy.global_table(table.name)
        if declared is not None:
            posture.globals_.append(table.name)
            _check_global(posture, table, declared, facts, today)
        else:
            _check_table(conn, posture, table, facts)
    for schema, names_ in sorted(truncatable.items()):
        roles_ = ", ".join(posture.app_roles)
        posture.advisories.append(
            f"{roles_} may TRUNCATE {len(names_)} table(s) in {schema} (TRUNCATE is not "
            f"governed by RLS; PostgREST cannot issue it): REVOKE TRUNCATE ON ALL TABLES IN "
            f"SCHEMA {schema} FROM {roles_};")
    return posture


@dataclass
class _Facts:
    enabled: bool
    forced: bool
    owner: str
    parent: str | None
    policies: list[Policy]
    privileges: dict[str, list[str]]  # command -> application roles holding it

    def reachable(self) -> bool:
        return any(self.privileges.get(c) for c in COMMANDS)


def _facts(conn: psycopg.Connection, table: TenantTable, roles: list[str]) -> _Facts:
    enabled, forced, owner, parent = conn.execute(_TABLE_FACTS, (table.name,)).fetchone()
    policies = [Policy(n, p, tuple(r), c, u, w) for n, p, r, c, u, w in
                conn.execute(_POLICIES, (table.schema, table.table))]
    privileges = {command: [r for r in roles if conn.execute(
        _PRIVILEGE, (r, table.name, command)).fetchone()[0]]
        for command in (*COMMANDS, "TRUNCATE")}
    return _Facts(enabled, forced, owner, parent, policies, privileges)


def _check_app_role(posture: Posture, roles: dict[str, RoleFacts], role: str) -> None:
    facts = roles[role]
    if facts.superuser:
        posture.add(None, f"application role {role} is a superuser (bypasses RLS)", "role")
    if facts.bypassrls:
        posture.add(None, f"application role {role} has BYPASSRLS (sees every tenant's rows)",
                    "role")
    for other in roles.values():
        if other.bypasses and other.name != role and role in other.members:
            posture.add(None, f"application role {role} can become {other.name}, which "
                        "bypasses RLS", "role")


def _check_table(conn: psycopg.Connection, posture: Posture, table: TenantTable,
                 facts: _Facts) -> None:
    name = table.name
    for role in posture.app_roles:
        if role in facts.privileges["SELECT"] and (not facts.enabled or any(
                p.permissive and p.applies(posture.acting[role], "SELECT")
                for p in facts.policies)):
            posture.readable.setdefault(role, set()).add(name)
    # Reach and deny-all are judged by the application roles; with none (a declared role the
    # database lacks) every table is judged as a tenant table.
    if posture.app_roles and not facts.reachable():
        posture.out_of_reach.append(name)
        return
    if posture.app_roles and facts.enabled and not any(
            p.applies(posture.acting[r], c) for p in facts.policies for r in posture.app_roles
            for c in COMMANDS):
        posture.deny_all.append(name)
        return
    owner = posture.ownership.owners.get(name)
    if owner is None and name in posture.ownership.ambiguous:
        posture.undecided.append(name)
        return
    posture.tenant.append(name)
    if owner is None:
        posture.add(name, f"table {name} has no tenant: no tenant column and no foreign key "
                    "to a tenant table; declare its tenant column or `via:`, or declare it "
                    "global in the tenancy file")
    if not facts.enabled:
        posture.add(name, f"table {name}: row-level security is disabled" + (
            f" (a partition of {facts.parent}: read directly, it ignores {facts.parent}'s "
            "policies)" if facts.parent else ""))
    elif owner is not None:
        _check_policies(conn, posture, table, facts, owner)
    for role in posture.app_roles:
        if facts.owner == role:
            posture.add(name, f"table {name} is owned by application role {role} (an owner "
                        "bypasses RLS and can disable it)")
        elif not facts.forced and conn.execute(_CAN_BECOME, (role, facts.owner)).fetchone()[0]:
            posture.add(name, f"table {name}: application role {role} can become its owner "
                        f"{facts.owner} and RLS is not forced (owners bypass it)")


def _check_policies(conn: psycopg.Connection, posture: Posture, table: TenantTable,
                    facts: _Facts, owner: Owner) -> None:
    """Per command, a permissive tautology not narrowed by a restrictive policy on the tenant
    key is a hole."""
    creates_tenants = owner.direct and conn.execute(
        _KEY_IS, (table.name, owner.column)).fetchone()[0]
    for command in COMMANDS:
        for role in facts.privileges[command]:
            for clause in _CLAUSES[command]:
                if command == "INSERT" and creates_tenants:
                    continue  # a new row here is a new tenant: no other tenant's row is touched
                acting = posture.acting[role]
                hole = next((p for p in facts.policies if p.permissive
                             and p.applies(acting, command) and tautology(p.clause(clause))),
                            None)
                narrowed = any(not p.permissive and p.applies(acting, command)
                               and not tautology(p.clause(clause))
                               and names_column(p.clause(clause), owner.key)
                               for p in facts.policies)
                if hole is not None and not narrowed:
                    word = "USING" if clause == "using" else "WITH CHECK"
                    posture.add(table.name, f"table {table.name}: policy {hole.name!r} lets "
                                f"{role} {command} with {word} ({hole.clause(clause)}): every "
                                "tenant's rows pass it", "policy")
                    return


def _check_global(posture: Posture, table: TenantTable, declared: GlobalTable,
                  facts: _Facts, today: dt.date) -> None:
    if declared.expired(today):
        posture.add(table.name, f"global table {table.name}: its review expired on "
                    f"{declared.expires} (owner {declared.owner}): review it again")
    for role in posture.app_roles:
        writes = [c for c in ("INSERT", "UPDATE", "DELETE") if role in facts.privileges[c]
                  and (not facts.enabled or any(p.permissive and p.applies(posture.acting[role], c)
                                                and tautology(p.clause(_CLAUSES[c][-1]))
                                                for p in facts.policies))]
        if writes:
            why = "row-level security is disabled" if not facts.enabled else "a policy allows it"
            posture.add(table.name, f"global table {table.name}: {role} may "
                        f"{', '.join(writes)} ({why}; a global table must be read-only to the "
                        "application roles, or written only under a per-row check)")
