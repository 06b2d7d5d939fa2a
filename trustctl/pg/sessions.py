"""Tenant-session recipes: how to act, inside one transaction, as the application would for one
tenant (or for nobody), so that row-level security decides what is visible.

- `setting`: SET ROLE <app role> and set_config(<setting>, <tenant>);
- `jwt-claims`: SET ROLE <app role> and request.jwt.claims from a template ({tenant}, {user},
  {role}), which Supabase's auth.jwt() / auth.uid() read, as PostgREST sets them per request;
- `membership`: a query yields (tenant, user) pairs; a tenant's session is a `jwt-claims`
  session as the first member listed for it (order the query so the member that may see most,
  an owner, comes first), and may see every tenant that user belongs to.
An anonymous session (role `anon`) carries no tenant: `{"role": "anon"}` claims, no setting.
Everything is SET LOCAL / set_config(..., true): it ends with the transaction.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
from psycopg import sql

from trustctl.errors import DependencyError
from trustctl.pg.tenancy import Tenancy, render_claims

CLAIMS_SETTING = "request.jwt.claims"
ANONYMOUS_CLAIMS = '{"role": "{role}"}'


@dataclass(frozen=True)
class TenantSession:
    """One session to open: as `role`, for `tenant` (None: anonymous), seeing `tenants`."""

    role: str
    tenant: str | None
    user: str | None
    tenants: frozenset[str]
    member: bool = False  # the user is a real member (membership recipe), worth naming

    def describe(self) -> str:
        who = f"tenant {self.tenant}" if self.tenant else "no tenant"
        return f"{self.role} for {who}" + (f" as member {self.user}" if self.member else "")


class Recipe:
    """Builds sessions for sampled tenants and enters them on a connection."""

    name = "recipe"

    def __init__(self, tenancy: Tenancy) -> None:
        self.tenancy = tenancy

    def sample(self, conn: psycopg.Connection, tenants: list[str]) -> list[str]:
        """The tenants a session can be opened for, among `tenants`."""
        return tenants

    def session(self, role: str, tenant: str | None) -> TenantSession:
        user = str(uuid.uuid5(uuid.NAMESPACE_URL, f"trustctl:{tenant}")) if tenant else None
        return TenantSession(role, tenant, user, frozenset([tenant] if tenant else []))

    @contextlib.contextmanager
    def entered(self, conn: psycopg.Connection, session: TenantSession) -> Iterator[None]:
        """A transaction in which the connection acts as `session`; rolled back after."""
        with conn.transaction(force_rollback=True):
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(session.role)))
            conn.execute("SELECT set_config('row_security', 'on', true)")
            self._identify(conn, session)
            yield

    def _identify(self, conn: psycopg.Connection, session: TenantSession) -> None:
        raise NotImplementedError


class SettingRecipe(Recipe):
    name = "setting"

    def _identify(self, conn: psycopg.Connection, session: TenantSession) -> None:
        if session.tenant is not None:
            conn.execute("SELECT set_config(%s, %s, true)",
                         (self.tenancy.session.setting, session.tenant))


class JwtClaimsRecipe(Recipe):
    name = "jwt-claims"

    def _identify(self, conn: psycopg.Connection, session: TenantSession) -> None:
        if session.tenant is None:
            claims = render_claims(ANONYMOUS_CLAIMS, tenant="", user="", role=session.role)
        else:
            claims = render_claims(self.tenancy.session.claims or "", tenant=session.tenant,
                                   user=session.user or "", role=session.role)
        conn.execute("SELECT set_config(%s, %s, true)", (CLAIMS_SETTING, claims))
        # What older auth.uid()/auth.role() read first: the template's own claims, never an id
        # of ours that would override the template's `sub` (a per-user tenant's id).
        parsed = json.loads(claims)
        for claim in ("sub", "role"):
            conn.execute("SELECT set_config(%s, %s, true)",
                         (f"request.jwt.claim.{claim}", str(parsed.get(claim) or "")))


class MembershipRecipe(JwtClaimsRecipe):
    name = "membership"

    def __init__(self, tenancy: Tenancy) -> None:
        super().__init__(tenancy)
        self.members: dict[str, set[str]] = {}  # user -> tenants
        self.first: dict[str, str] = {}  # tenant -> the member to act as

    def sample(self, conn: psycopg.Connection, tenants: list[str]) -> list[str]:
        try:
            with conn.transaction():
                rows = conn.execute(self.tenancy.session.membership_query or "").fetchall()
        except psycopg.Error as exc:
            raise DependencyError(f"the membership query failed: {exc.diag.message_primary}"
                                  ) from None
        if rows and len(rows[0]) != 2:
            raise DependencyError("the membership query must yield (tenant, user) rows")
        for tenant, user in rows:
            self.members.setdefault(str(user), set()).add(str(tenant))
            self.first.setdefault(str(tenant), str(user))
        return [t for t in tenants if t in self.first]

    def session(self, role: str, tenant: str | None) -> TenantSession:
        if tenant is None:
            return TenantSession(role, None, None, frozenset())
        user = self.first[tenant]
        return TenantSession(role, tenant, user, frozenset(self.members[user]), member=True)


RECIPES: dict[str, type[Recipe]] = {
    r.name: r for r in (SettingRecipe, JwtClaimsRecipe, MembershipRecipe)}


def recipe_for(tenancy: Tenancy) -> Recipe:
    """The recipe the (autodetected) tenancy names; DependencyError when none could be told."""
    spec = tenancy.session
    if spec.recipe is None:
        raise DependencyError("cannot tell how to act as one tenant: no setting, auth.jwt() or "
                              "membership in the policies; declare session.recipe in the "
                              "tenancy file or pass --tenant-setting / --tenant-claims")
    if spec.recipe == "setting" and not spec.setting:
        raise DependencyError("cannot tell which setting the policies read the tenant from; "
                              "pass --tenant-setting")
    if spec.recipe == "membership" and not spec.membership_query:
        raise DependencyError("the membership recipe needs session.membership_query")
    return RECIPES[spec.recipe](tenancy)
