"""A membership the restore cannot recreate (its group already on the target, never altered)
is a finding when the group bypasses RLS: production's role can become a role that sees every
tenant's row, and the copy, without that membership, would judge it as if it could not."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest

from trustctl.archive.inventory import Role
from trustctl.pg.roles import RoleAllowlist, RolesRecreated, recreate_roles
from trustctl.pg.server import LocalPostgres


@pytest.fixture
def target(postgres_factory: Callable[[str], LocalPostgres]) -> Iterator[psycopg.Connection]:
    """A restore target that already has Supabase's `service_role` (BYPASSRLS) and a plain
    `readers` group."""
    with postgres_factory("roles-bypass-target") as server, \
            psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE ROLE service_role NOLOGIN BYPASSRLS")
        conn.execute("CREATE ROLE readers NOLOGIN")
        yield conn


def test_a_membership_in_a_bypassing_role_on_the_target_is_a_finding(
        target: psycopg.Connection) -> None:
    superuser = target.execute("SELECT current_user").fetchone()[0]  # the target's own
    roles = [
        Role("service_role", superuser=False, bypassrls=True),  # production's, as listed
        Role("reporting", superuser=False, bypassrls=False,
             member_of=["service_role", "readers", superuser]),
    ]
    done = RolesRecreated()
    recreate_roles(target, roles, RoleAllowlist.default(), done)
    assert done.created == ["reporting"] and done.memberships == []
    assert done.not_granted == [f"reporting in {g} (not created by this restore)"
                                for g in ("service_role", "readers", superuser)]
    assert done.findings() == [
        f"role reporting is a member of {group} in production (the backup's authenticated "
        f"manifest), and {group} bypasses RLS: the membership was not granted on the restore "
        f"target ({group} was not created by this restore), so the copy does not show that "
        f"reporting can become a role that reads every tenant's rows; if that is intended, pass "
        "--allow-role-attribute reporting=bypassrls"
        for group in ("service_role", superuser)]
    assert done.bypassing == [("reporting", "service_role"), ("reporting", superuser)]
    assert done.facts()["bypassing"] == ["reporting in service_role", f"reporting in {superuser}"]


def test_a_role_that_may_bypass_rls_or_already_does_adds_no_finding(
        target: psycopg.Connection) -> None:
    """Allowed by the allowlist, or bypassing by itself (then its own attribute is what is
    given or withheld), or a group that does not bypass RLS in production: nothing to add."""
    roles = [
        Role("service_role", superuser=False, bypassrls=True),
        Role("readers", superuser=False, bypassrls=False),
        Role("etl", superuser=False, bypassrls=False, member_of=["service_role"]),
        Role("admin_tool", superuser=False, bypassrls=True, member_of=["service_role"]),
        Role("analyst", superuser=False, bypassrls=False, member_of=["readers"]),
    ]
    done = RolesRecreated()
    allowlist = RoleAllowlist.default().extended([("etl", "bypassrls")])
    recreate_roles(target, roles, allowlist, done)
    assert done.bypassing == []
    assert done.findings() == [
        "role admin_tool has BYPASSRLS in production (the backup's authenticated manifest), "
        "which the restore allowlist does not permit: recreated without it, so the copy is not "
        "production's set-up; if that is intended, pass --allow-role-attribute "
        "admin_tool=bypassrls"]
