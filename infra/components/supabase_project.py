"""The Supabase project's own network settings, declared: who may connect, and only over TLS.

Pulumi cannot declare the Supabase-managed database, but the Supabase Management API holds
what keeps it off the internet: the project's network restrictions (the CIDRs allowed to
reach Postgres and its pooler) and SSL enforcement. A dynamic resource declares both, so
`pulumi up` applies them, `pulumi preview` shows drift, and the gate judges them.

The access token comes from SUPABASE_ACCESS_TOKEN when an operation runs: it is never an
input, so it never reaches the state, the plan or the gate. SUPABASE_API_URL overrides the
API's address (a local stand-in in tests).
"""

from __future__ import annotations

import ipaddress
import json
import os
import urllib.error
import urllib.request
from typing import Any

import pulumi
import pulumi.dynamic as dynamic
from stack_config import StackConfig

API_URL = "https://api.supabase.com"
TOKEN_ENV = "SUPABASE_ACCESS_TOKEN"
API_URL_ENV = "SUPABASE_API_URL"
TIMEOUT_SECONDS = 30


class SupabaseApiError(Exception):
    """The Management API refused or could not be reached; says which call and why."""


class ManagementApi:
    """The two endpoints of the Supabase Management API this resource needs."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token

    @classmethod
    def from_environment(cls) -> ManagementApi:
        token = os.environ.get(TOKEN_ENV, "")
        if not token:
            raise SupabaseApiError(f"set {TOKEN_ENV} to a Supabase access token")
        return cls(os.environ.get(API_URL_ENV, API_URL), token)

    def network_restrictions(self, ref: str) -> dict[str, Any]:
        return self._call("GET", f"/v1/projects/{ref}/network-restrictions")

    def apply_network_restrictions(self, ref: str, cidrs: list[str]) -> dict[str, Any]:
        v4, v6 = split_cidrs(cidrs)
        return self._call("POST", f"/v1/projects/{ref}/network-restrictions/apply",
                          {"dbAllowedCidrs": v4, "dbAllowedCidrsV6": v6})

    def ssl_enforcement(self, ref: str) -> dict[str, Any]:
        return self._call("GET", f"/v1/projects/{ref}/ssl-enforcement")

    def enforce_ssl(self, ref: str, enforced: bool) -> dict[str, Any]:
        return self._call("PUT", f"/v1/projects/{ref}/ssl-enforcement",
                          {"requestedConfig": {"database": enforced}})

    def _call(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base_url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json",
                     "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SupabaseApiError(f"{method} {path}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SupabaseApiError(f"{method} {path}: {reason}") from None


def split_cidrs(cidrs: list[str]) -> tuple[list[str], list[str]]:
    """IPv4 and IPv6 ranges, as the API wants them (dbAllowedCidrs, dbAllowedCidrsV6)."""
    nets = [ipaddress.ip_network(c) for c in cidrs]
    return ([str(n) for n in nets if n.version == 4], [str(n) for n in nets if n.version == 6])


def _settings(api: ManagementApi, ref: str) -> dict[str, Any]:
    """What the project has now, in this resource's output shape."""
    config = api.network_restrictions(ref).get("config") or {}
    ssl = api.ssl_enforcement(ref).get("currentConfig") or {}
    return {
        "project_ref": ref,
        "allowed_cidrs": sorted([*config.get("dbAllowedCidrs", []),
                                 *config.get("dbAllowedCidrsV6", [])]),
        "ssl_enforced": bool(ssl.get("database")),
    }


class SupabaseSettingsProvider(dynamic.ResourceProvider):
    """Create and update apply both settings; delete leaves them (never opens the database)."""

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        changed = [key for key in ("allowed_cidrs", "ssl_enforced")
                   if _comparable(olds.get(key)) != _comparable(news.get(key))]
        replaces = ["project_ref"] if olds.get("project_ref") != news.get("project_ref") else []
        return dynamic.DiffResult(changes=bool(changed or replaces), replaces=replaces,
                                  delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        return dynamic.CreateResult(props["project_ref"], self._apply(props))

    def update(self, _id: str, _olds: dict[str, Any],
               news: dict[str, Any]) -> dynamic.UpdateResult:
        return dynamic.UpdateResult(self._apply(news))

    def read(self, id_: str, _props: dict[str, Any]) -> dynamic.ReadResult:
        return dynamic.ReadResult(id_, _settings(ManagementApi.from_environment(), id_))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Forgetting the declaration must not open the database: the settings stay."""

    def _apply(self, props: dict[str, Any]) -> dict[str, Any]:
        api = ManagementApi.from_environment()
        ref = props["project_ref"]
        api.apply_network_restrictions(ref, list(props["allowed_cidrs"]))
        api.enforce_ssl(ref, bool(props["ssl_enforced"]))
        return _settings(api, ref)


def _comparable(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


class SupabaseProjectSettings(dynamic.Resource, module="supabase", name="ProjectSettings"):
    """The project's allowed CIDRs and SSL enforcement; the gate reads it as
    `supabase_project_settings` (allowed_cidrs, ssl_enforced)."""

    allowed_cidrs: pulumi.Output[list[str]]
    ssl_enforced: pulumi.Output[bool]

    def __init__(self, name: str, *, project_ref: str, allowed_cidrs: list[str],
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            SupabaseSettingsProvider(), name,
            {"project_ref": project_ref, "allowed_cidrs": sorted(allowed_cidrs),
             "ssl_enforced": True},
            opts,
        )


class SupabaseProject(pulumi.ComponentResource):
    """Implements NO-PUBLIC-DB for the Supabase-managed database: only the allowed CIDRs (the
    runners' or the VPC's egress, from stack config) reach Postgres and its pooler, and only
    over TLS.

    The live audit reads the same two Management API endpoints, so drift shows there too.
    """

    def __init__(self, name: str, config: StackConfig,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("trustctl:database:SupabaseProject", name, None, opts)
        self.settings = SupabaseProjectSettings(
            f"{name}-settings",
            project_ref=config.supabase_project_ref,
            allowed_cidrs=list(config.supabase_allowed_cidrs),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"allowedCidrs": self.settings.allowed_cidrs})
