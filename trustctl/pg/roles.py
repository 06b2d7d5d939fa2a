"""Recreating a backup's roles on a restore target, without handing out power.

A logical dump carries no roles, yet ownership, grants and policies name them, and the
isolation check must see production's set-up, flaws included. So the roles a manifest lists
are created, unable to log in, with the attributes production has, under these rules:

- only roles absent from the target are created; an existing role is never altered: no
  attribute and no membership is given to it, and no role is made a member of it;
- predefined roles (`pg_*`) are never created or granted: membership in one such as
  pg_execute_server_program or pg_write_server_files makes a role a server administrator;
- SUPERUSER, BYPASSRLS and CREATEROLE are given where the (authenticated) manifest says
  production has them *and* the allowlist permits that role that attribute. Where it does not,
  the role is created without it and the withholding is a finding: the copy would otherwise
  be judged on a set-up that is not production's;
- memberships are recreated between roles created here only. One that cannot be (its group
  already on the target) is a finding when the group bypasses RLS (superuser or BYPASSRLS, as
  the manifest says production's is, else as the target's is) and the member neither does by
  itself nor may by the allowlist: production's role can become a role that reads every
  tenant's rows, and the copy, without that membership, would not show it.

The default allowlist is Supabase's own roles (https://supabase.com/docs/guides/database/
postgres/roles); the drill adds the role that took the backup (it must bypass RLS) and what
--allow-role-attribute names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from trustctl.archive.inventory import Role
from trustctl.errors import InputError

POWERS = ("superuser", "bypassrls", "createrole")
PREDEFINED_PREFIX = "pg_"
SUPABASE_ALLOWED: dict[str, tuple[str, ...]] = {
    "superuser": ("supabase_admin",),
    "bypassrls": ("postgres", "service_role", "supabase_admin", "supabase_read_only_user",
                  "supabase_etl_admin"),
    "createrole": ("postgres", "supabase_admin", "supabase_auth_admin", "supabase_storage_admin",
                   "supabase_functions_admin", "dashboard_user"),
}


@dataclass(frozen=True)
class RoleAllowlist:
    """Which roles may be recreated with which power (attribute -> role names)."""

    allowed: dict[str, frozenset[str]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> RoleAllowlist:
        """From (role, power) pairs; InputError for a power that is not one of POWERS."""
        allowed: dict[str, set[str]] = {power: set() for power in POWERS}
        for role, power in pairs:
            if power not in allowed:
                raise InputError(f"--allow-role-attribute {role}={power}: the attribute must be "
                                 f"one of {', '.join(POWERS)}")
            allowed[power].add(role)
        return cls({power: frozenset(names) for power, names in allowed.items()})

    @classmethod
    def default(cls) -> RoleAllowlist:
        return cls.of((role, power) for power, roles in SUPABASE_ALLOWED.items()
                      for role in roles)

    def extended(self, pairs: Iterable[tuple[str, str]]) -> RoleAllowlist:
        extra = RoleAllowlist.of(pairs)
        return RoleAllowlist({power: self.allowed.get(power, frozenset()) | extra.allowed[power]
                              for power in POWERS})

    def permits(self, role: str, power: str) -> bool:
        return role in self.allowed.get(power, frozenset())


@dataclass
class RolesRecreated:
    """What `recreate_roles` did, and what it would not do."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    withheld: list[tuple[str, str]] = field(default_factory=list)  # (role, power) not given
    memberships: list[str] = field(default_factory=list)  # "role in group", granted
    not_granted: list[str] = field(default_factory=list)  # "role in group (why)"
    # (role, group) not granted where the group bypasses RLS: production's power, not shown
    bypassing: list[tuple[str, str]] = field(default_factory=list)

    def findings(self) -> list[str]:
        withheld = [f"role {role} has {power.upper()} in production (the backup's authenticated "
                    "manifest), which the restore allowlist does not permit: recreated without "
                    "it, so the copy is not production's set-up; if that is intended, pass "
                    f"--allow-role-attribute {role}={power}" for role, power in self.withheld]
        return withheld + [
            f"role {role} is a member of {group} in production (the backup's authenticated "
            f"manifest), and {group} bypasses RLS: the membership was not granted on the restore "
            f"target ({group} was not created by this restore), so the copy does not show that "
            f"{role} can become a role that reads every tenant's rows; if that is intended, "
            f"pass --allow-role-attribute {role}=bypassrls" for role, group in self.bypassing]

    def summary(self) -> str:
        text = (f"{len(self.created)} role(s) created NOLOGIN, {len(self.existing)} already there "
                f"left as they are, {len(self.memberships)} membership(s) between created roles")
        if self.not_granted:
            text += f"; not granted: {', '.join(self.not_granted)}"
        return text

    def facts(self) -> dict:
        return {"created": self.created, "existing": self.existing,
                "withheld": [f"{role}={power}" for role, power in self.withheld],
                "memberships": self.memberships, "not_granted": self.not_granted,
                "bypassing": [f"{role} in {group}" for role, group in self.bypassing]}


def recreate_roles(conn: psycopg.Connection, roles: list[Role], allowlist: RoleAllowlist,
                   done: RolesRecreated) -> None:
    """Creates the absent roles and their memberships among themselves (module docstring),
    noting each in `done` as it goes (so a failure half-way still says what to drop)."""
    # the target's roles, and whether each bypasses RLS there
    present = dict(conn.execute("SELECT rolname, rolsuper OR rolbypassrls FROM pg_roles"))
    listed = {role.name: role.superuser or role.bypassrls for role in roles}  # production's
    for role in roles:
        if role.name.startswith(PREDEFINED_PREFIX):
            continue
        if role.name in present:
            done.existing.append(role.name)
            continue
        powers = [p for p in POWERS if getattr(role, p)]
        given = [p for p in powers if allowlist.permits(role.name, p)]
        done.withheld += [(role.name, p) for p in powers if p not in given]
        conn.execute(_create_role(role, given))
        done.created.append(role.name)
    created = set(done.created)
    for role in roles:
        if role.name not in created:
            continue
        for group in role.member_of:
            why = _refusal(group, created)
            if why:
                done.not_granted.append(f"{role.name} in {group} ({why})")
                if (not group.startswith(PREDEFINED_PREFIX)
                        and listed.get(group, present.get(group, False))
                        and not (role.superuser or role.bypassrls)
                        and not allowlist.permits(role.name, "bypassrls")):
                    done.bypassing.append((role.name, group))
                continue
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group),
                                                          sql.Identifier(role.name)))
            done.memberships.append(f"{role.name} in {group}")


def _refusal(group: str, created: set[str]) -> str | None:
    if group.startswith(PREDEFINED_PREFIX):
        return "predefined role"
    if group not in created:
        return "not created by this restore"
    return None


def _create_role(role: Role, powers: list[str]) -> sql.Composable:
    options = ["NOLOGIN", *(p.upper() if p in powers else f"NO{p.upper()}" for p in POWERS),
               "INHERIT" if role.inherit else "NOINHERIT"]
    return sql.SQL("CREATE ROLE {} " + " ".join(options)).format(sql.Identifier(role.name))
