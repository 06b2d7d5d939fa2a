"""Roles from a manifest are recreated without handing out power (issue 20 item 2): absent
roles only, no predefined roles, no SUPERUSER/BYPASSRLS/CREATEROLE beyond the allowlist,
memberships only between roles created here, existing roles never altered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from backup.fixtures import Source, take_backup

from drill.helpers import SecretSpy, altered, assert_clean, run_drill_cli
from trustctl.archive.inventory import Role
from trustctl.archive.location import Location
from trustctl.errors import InputError
from trustctl.pg.roles import RoleAllowlist, RolesRecreated, recreate_roles
from trustctl.pg.server import LocalPostgres

ROLES_AND_MEMBERSHIPS = """
SELECT (SELECT array_agg(format('%s su=%s bypass=%s createrole=%s login=%s', rolname, rolsuper,
                                rolbypassrls, rolcreaterole, rolcanlogin) ORDER BY 1)
        FROM pg_roles),
       (SELECT array_agg(format('%s in %s', m.member::regrole, m.roleid::regrole) ORDER BY 1)
        FROM pg_auth_members m)
"""


@pytest.fixture
def target(postgres_factory: Callable[[str], LocalPostgres]) -> Iterator[psycopg.Connection]:
    """A restore target that already has a plain `claver_app`."""
    with postgres_factory("roles-target") as server, \
            psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE ROLE claver_app LOGIN")
        yield conn


def attributes(conn: psycopg.Connection, name: str) -> tuple[bool, bool, bool, bool]:
    return conn.execute("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcanlogin FROM pg_roles "
                        "WHERE rolname = %s", (name,)).fetchone()


def member_of(conn: psycopg.Connection, name: str) -> set[str]:
    return {group for (group,) in conn.execute(
        "SELECT m.roleid::regrole::text FROM pg_auth_members m "
        "WHERE m.member = %s::regrole", (name,))}


def test_roles_are_recreated_without_power_and_existing_roles_untouched(
        target: psycopg.Connection) -> None:
    roles = [
        # the attack, even when authentic: an existing role is not altered
        Role("claver_app", superuser=True, bypassrls=True, createrole=True,
             member_of=["pg_execute_server_program", "service_role"]),
        Role("service_role", superuser=False, bypassrls=True),  # allowlisted: as production
        Role("intruder", superuser=True, bypassrls=True, createrole=True,
             member_of=["pg_write_server_files", "service_role", "claver_app", "postgres"]),
        Role("pg_monitor", superuser=False, bypassrls=False),  # predefined: never created
    ]
    done = RolesRecreated()
    recreate_roles(target, roles, RoleAllowlist.default(), done)
    assert attributes(target, "claver_app") == (False, False, False, True)
    assert member_of(target, "claver_app") == set()
    assert attributes(target, "service_role") == (False, True, False, False)
    assert attributes(target, "intruder") == (False, False, False, False)
    assert member_of(target, "intruder") == {"service_role"}
    assert done.created == ["service_role", "intruder"] and done.existing == ["claver_app"]
    assert done.withheld == [("intruder", "superuser"), ("intruder", "bypassrls"),
                             ("intruder", "createrole")]
    assert done.not_granted == ["intruder in pg_write_server_files (predefined role)",
                                "intruder in claver_app (not created by this restore)",
                                "intruder in postgres (not created by this restore)"]
    assert done.findings()[0] == (
        "role intruder has SUPERUSER in production (the backup's authenticated manifest), which "
        "the restore allowlist does not permit: recreated without it, so the copy is not "
        "production's set-up; if that is intended, pass --allow-role-attribute "
        "intruder=superuser")


def test_allowlisted_powers_are_given(target: psycopg.Connection) -> None:
    allowlist = RoleAllowlist.default().extended([("migrator", "createrole")])
    done = RolesRecreated()
    recreate_roles(target, [Role("migrator", False, False, createrole=True)], allowlist, done)
    assert attributes(target, "migrator") == (False, False, True, False)
    assert not done.findings()
    with pytest.raises(InputError, match="the attribute must be one of superuser, bypassrls, "
                                         "createrole"):
        RoleAllowlist.default().extended([("migrator", "replication")])


def test_scratch_server_keeps_its_roles_as_they_were(
        spy: SecretSpy, source: Source, locked_location: Location,
        postgres_factory: Callable[[str], LocalPostgres], tmp_path: Path) -> None:
    """The issue's case, authentic: production's claver_app holds pg_execute_server_program.
    A scratch server that has its own claver_app keeps it as it was, memberships included."""
    with altered(source, "GRANT pg_execute_server_program TO claver_app",
                 "REVOKE pg_execute_server_program FROM claver_app"):
        manifest = take_backup(source, locked_location)
    app = next(r for r in manifest.roles if r.name == "claver_app")
    assert "pg_execute_server_program" in app.member_of
    with postgres_factory("roles-scratch") as scratch:
        with psycopg.connect(scratch.dsn(), autocommit=True) as conn:
            conn.execute("CREATE ROLE claver_app NOLOGIN")
            before = conn.execute(ROLES_AND_MEMBERSHIPS).fetchone()
        result = run_drill_cli(locked_location, tmp_path,
                               env={"TRUSTCTL_SCRATCH_DSN": scratch.dsn()})
        with psycopg.connect(scratch.dsn()) as conn:
            assert conn.execute(ROLES_AND_MEMBERSHIPS).fetchone() == before
    assert result.code == 0, result.stderr
    roles = next(s for s in result.record["steps"] if s["name"] == "roles")
    assert "claver_app" in roles["facts"]["existing"]
    assert "claver_app" not in roles["facts"]["created"]
    assert_clean(result, spy)
