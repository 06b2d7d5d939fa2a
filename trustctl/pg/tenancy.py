"""How a database is multi-tenant, declared once (policies/tenancy.yaml) and read by the drill
now and the live audit later: which roles serve tenant traffic, which tables are tenant tables
and by which column, which tables are global (reviewed, with an owner and an expiry, like the
gate's exceptions), and how to act as one tenant (the tenant-session recipe, see sessions.py).

Anything left out is found in the database (see `autodetect`): Supabase's `auth.jwt()` /
`auth.uid()` in the policies mean Supabase's roles and a `jwt-claims` session; a
`current_setting('x')` means a `setting` session. Command-line flags override the file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg

from trustctl.errors import InputError
from trustctl.input_limits import TENANCY, load_yaml

RECIPES = ("setting", "jwt-claims", "membership")
SUPABASE_APP_ROLES = ("authenticated", "anon")
SUPABASE_ANONYMOUS_ROLES = ("anon",)
DEFAULT_APP_ROLE = "claver_app"
# Supabase's JWT puts custom claims such as the tenant in app_metadata (set by the server only).
SUPABASE_CLAIMS = ('{"sub": "{user}", "role": "{role}", "aud": "authenticated", '
                   '"app_metadata": {"tenant_id": "{tenant}"}}')
_SETTING_IN_POLICY = re.compile(r"current_setting\(\s*'([^']+)'")
_SUPABASE_IN_POLICY = re.compile(r"\bauth\.(jwt|uid|role)\s*\(")
# Per-user tenancy (`tenant: auth.uid()`): the tenant is the signed-in user, the JWT's `sub`.
PER_USER = "auth.uid()"
PER_USER_CLAIMS = '{"sub": "{tenant}", "role": "{role}", "aud": "authenticated"}'
_KEYS = {"app_roles", "anonymous_roles", "tenant_schemas", "tenant", "tenant_column",
         "tenant_columns", "via", "session", "global_tables"}
_VIA = re.compile(r"^\s*(\w+)\s*->\s*(\w+)\.(\w+)\.(\w+)\s*$")
_SESSION_KEYS = {"recipe", "setting", "claims", "membership_query"}
_GLOBAL_KEYS = {"table", "reason", "owner", "expires"}

_POLICY_TEXT = """
SELECT coalesce(qual, '') || ' ' || coalesce(with_check, '') FROM pg_policies
WHERE schemaname = ANY(%s)
"""
_TABLES = """
SELECT n.nspname, c.relname, c.relkind = 'p', c.relispartition,
       array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum > 0)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2
"""


@dataclass(frozen=True)
class GlobalTable:
    """A table shared by every tenant (a lookup, a catalogue): accepted while reviewed."""

    table: str
    reason: str
    owner: str
    expires: dt.date

    def expired(self, today: dt.date) -> bool:
        return self.expires < today

    def to_json(self) -> dict[str, str]:
        return {"table": self.table, "reason": self.reason, "owner": self.owner,
                "expires": self.expires.isoformat()}


@dataclass(frozen=True)
class SessionSpec:
    """How to act as one tenant: `setting`, `jwt-claims` or `membership` (None: autodetect)."""

    recipe: str | None = None
    setting: str | None = None
    claims: str | None = None
    membership_query: str | None = None


@dataclass(frozen=True)
class Tenancy:
    """The declaration; `why` says where each choice came from (for the record)."""

    app_roles: tuple[str, ...] = ()
    anonymous_roles: tuple[str, ...] = ()
    tenant_schemas: tuple[str, ...] = ("public",)
    tenant_column: str = "tenant_id"
    tenant_columns: dict[str, str] = field(default_factory=dict)
    via: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # table: (col, parent, pcol)
    tenant: str | None = None  # PER_USER: the tenant is the signed-in user
    session: SessionSpec = SessionSpec()
    global_tables: tuple[GlobalTable, ...] = ()
    source: str = "defaults"
    why: tuple[str, ...] = ()

    def column_of(self, table: str) -> str:
        return self.tenant_columns.get(table, self.tenant_column)

    def global_table(self, table: str) -> GlobalTable | None:
        return next((g for g in self.global_tables if g.table == table), None)

    @property
    def tenant_roles(self) -> tuple[str, ...]:
        """Application roles that act for a tenant (the others must read no tenant rows)."""
        return tuple(r for r in self.app_roles if r not in self.anonymous_roles)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "app_roles": list(self.app_roles),
                "anonymous_roles": list(self.anonymous_roles),
                "tenant_schemas": list(self.tenant_schemas), "tenant_column": self.tenant_column,
                "tenant_columns": self.tenant_columns, "tenant": self.tenant,
                "via": {t: f"{c} -> {p}.{pc}" for t, (c, p, pc) in self.via.items()},
                "session": {"recipe": self.session.recipe, "setting": self.session.setting,
                            "claims": self.session.claims,
                            "membership_query": self.session.membership_query},
                "global_tables": [g.to_json() for g in self.global_tables],
                "why": list(self.why)}


@dataclass(frozen=True)
class TenantTable:
    """A table of the tenant schemas as the catalog shows it."""

    name: str
    partitioned: bool  # a partitioned parent: its rows live in its partitions
    partition: bool
    columns: tuple[str, ...]

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]


def load(path: Path) -> Tenancy:
    """Reads and validates a tenancy file; one clear line (InputError) when it is wrong."""
    doc = load_yaml(path, TENANCY, "tenancy").document or {}  # changed by pull request
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping")
    _only(doc, _KEYS, str(path))
    session = doc.get("session") or {}
    _only(session, _SESSION_KEYS, f"{path}: session")
    spec = SessionSpec(**{k: (str(v) if v is not None else None) for k, v in session.items()})
    if spec.recipe is not None and spec.recipe not in RECIPES:
        raise InputError(f"{path}: session.recipe must be one of {', '.join(RECIPES)}")
    if spec.claims is not None:
        check_claims(spec.claims, f"{path}: session.claims")
    return Tenancy(
        app_roles=_names(doc, "app_roles", path), anonymous_roles=_names(doc, "anonymous_roles",
                                                                          path),
        tenant_schemas=_names(doc, "tenant_schemas", path) or ("public",),
        tenant_column=str(doc.get("tenant_column") or "tenant_id"),
        tenant_columns={str(k): str(v) for k, v in (doc.get("tenant_columns") or {}).items()},
        via={str(k): _via(str(k), v, path) for k, v in (doc.get("via") or {}).items()},
        tenant=_tenant(doc.get("tenant"), path),
        session=spec,
        global_tables=tuple(_global(e, i, path) for i, e in
                            enumerate(doc.get("global_tables") or [])),
        source=str(path),
    )


def override(tenancy: Tenancy, **flags: Any) -> Tenancy:
    """Command-line flags win over the file (a None flag leaves the file's value)."""
    session = {k: flags.pop(k) for k in ("recipe", "setting", "claims", "membership_query")
               if flags.get(k) is not None}
    if session.get("claims"):
        check_claims(session["claims"], "--tenant-claims")
    changes = {k: (tuple(v) if isinstance(v, list) else v) for k, v in flags.items()
               if v not in (None, [])}
    return replace(tenancy, session=replace(tenancy.session, **session), **changes)


def autodetect(conn: psycopg.Connection, tenancy: Tenancy) -> Tenancy:
    """Fills in what the declaration leaves out from the policies, and says why."""
    texts = [text for (text,) in conn.execute(_POLICY_TEXT, (list(tenancy.tenant_schemas),))]
    supabase = any(_SUPABASE_IN_POLICY.search(t) for t in texts)
    settings = sorted({m for t in texts for m in _SETTING_IN_POLICY.findall(t)})
    why = list(tenancy.why)
    app_roles, anonymous = tenancy.app_roles, tenancy.anonymous_roles
    if not app_roles:
        if supabase:
            app_roles = _existing(conn, SUPABASE_APP_ROLES)
            anonymous = anonymous or _existing(conn, SUPABASE_ANONYMOUS_ROLES)
            why.append(f"application roles {', '.join(app_roles)}: the policies call "
                       "auth.jwt()/auth.uid() (Supabase)")
        else:
            app_roles = (DEFAULT_APP_ROLE,)
            why.append(f"application role {DEFAULT_APP_ROLE}: the default (declare app_roles)")
    session = tenancy.session
    if session.recipe is None:
        if session.membership_query:
            session = replace(session, recipe="membership")
            why.append("recipe membership: a membership query is declared")
        elif supabase or session.claims or tenancy.tenant == PER_USER:
            session = replace(session, recipe="jwt-claims")
            why.append("recipe jwt-claims: " + ("the policies read request.jwt.claims through "
                                                "auth.jwt()/auth.uid() (Supabase)" if supabase
                                                else "a claims template is declared"))
        elif session.setting or len(settings) == 1:
            session = replace(session, recipe="setting")
            why.append("recipe setting: " + (f"the policies read current_setting('{settings[0]}')"
                                             if not session.setting else "a setting is declared"))
    if session.recipe == "setting" and not session.setting and len(settings) == 1:
        session = replace(session, setting=settings[0])
    if session.recipe in ("jwt-claims", "membership") and not session.claims:
        if tenancy.tenant == PER_USER:
            session = replace(session, claims=PER_USER_CLAIMS)
            why.append("claims template: per user (the tenant is the JWT's sub)")
        else:
            session = replace(session, claims=SUPABASE_CLAIMS)
            why.append("claims template: Supabase's (tenant in app_metadata.tenant_id)")
    return replace(tenancy, app_roles=app_roles, anonymous_roles=anonymous, session=session,
                   why=tuple(why))


def tenant_tables(conn: psycopg.Connection, tenancy: Tenancy) -> list[TenantTable]:
    """Every table of the tenant schemas (partitioned parents and partitions included)."""
    return [TenantTable(f"{schema}.{table}", parent, partition, tuple(columns or ()))
            for schema, table, parent, partition, columns in
            conn.execute(_TABLES, (list(tenancy.tenant_schemas),))]


def check_claims(template: str, where: str) -> None:
    """A claims template must be JSON once {tenant}, {user} and {role} are filled in."""
    try:
        json.loads(render_claims(template, tenant="t", user="u", role="r"))
    except ValueError:
        raise InputError(f"{where} is not a JSON template with {{tenant}}/{{user}}/{{role}}"
                         ) from None


def render_claims(template: str, *, tenant: str, user: str, role: str) -> str:
    """Fills the placeholders (plain replacement: the template's JSON braces stay as they are)."""
    return (template.replace("{tenant}", tenant).replace("{user}", user)
            .replace("{role}", role))


def _existing(conn: psycopg.Connection, names: tuple[str, ...]) -> tuple[str, ...]:
    found = {n for (n,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
                                        (list(names),))}
    return tuple(n for n in names if n in found)


def _only(doc: dict, keys: set[str], where: str) -> None:
    unknown = sorted(set(doc) - keys)
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(unknown)} (known: "
                         f"{', '.join(sorted(keys))})")


def _names(doc: dict, key: str, path: Path) -> tuple[str, ...]:
    value = doc.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{path}: {key} must be a list of names")
    return tuple(value)


def _via(table: str, value: object, path: Path) -> tuple[str, str, str]:
    match = _VIA.match(str(value))
    if "." not in table or match is None:
        raise InputError(f"{path}: via {table}: expected `column -> schema.table.column` under "
                         "a schema.table key, e.g. `public.messages: chat_id -> public.chats.id`")
    column, schema, parent, parent_column = match.groups()
    return column, f"{schema}.{parent}", parent_column


def _tenant(value: object, path: Path) -> str | None:
    if value is None:
        return None
    if str(value).replace(" ", "") != PER_USER:
        raise InputError(f"{path}: tenant must be auth.uid() (per-user tenancy) or left out")
    return PER_USER


def _global(entry: object, index: int, path: Path) -> GlobalTable:
    where = f"{path}: global table {index}"
    if not isinstance(entry, dict):
        raise InputError(f"{where} is not a mapping")
    _only(entry, _GLOBAL_KEYS, where)
    missing = [k for k in ("table", "reason", "owner", "expires") if not entry.get(k)]
    if missing:
        raise InputError(f"{where} lacks {', '.join(missing)} (a global table is reviewed: "
                         "reason, owner, expiry)")
    expires = entry["expires"]
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError:
            raise InputError(f"{where}: expires {expires!r} is not a YYYY-MM-DD date") from None
    if not isinstance(expires, dt.date) or "." not in str(entry["table"]):
        raise InputError(f"{where}: needs a schema.table and a YYYY-MM-DD expiry")
    return GlobalTable(str(entry["table"]), str(entry["reason"]), str(entry["owner"]), expires)
