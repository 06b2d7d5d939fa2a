"""Cloudflare: the account's members and their roles, its API tokens with scopes and expiry.

Through the official `cloudflare` SDK; the token comes from CLOUDFLARE_API_TOKEN (never from
argv) and the base URL may be overridden (a local server in the tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trustctl.access_review.inventory import Access, Inventory, ReadError
from trustctl.access_review.progress import QUIET, Progress

SOURCE = "cloudflare"
ADMIN_WORDS = ("administrator", "super admin", "api tokens write", "account settings write",
               "memberships write", "member write")


@dataclass(frozen=True)
class CloudflareTarget:
    """An account, the API token that reads it, and where the API is (None: Cloudflare's).

    The audit knows a zone, not an account: with `account_id` empty, the account is the one
    that owns `zone_id`.
    """

    account_id: str
    api_token: str = field(repr=False)
    base_url: str | None = None
    zone_id: str | None = None


def collect(target: CloudflareTarget, inventory: Inventory, progress: Progress = QUIET) -> None:
    """Adds one access per member (roles, or permission policies) and per active API token."""
    import cloudflare  # here: commands that never call Cloudflare start sooner

    api = cloudflare.Cloudflare(api_token=target.api_token, base_url=target.base_url,
                                max_retries=1, timeout=30)
    account = target.account_id or _account_of_zone(api, target.zone_id, inventory)
    if not account:
        return
    resource = f"cloudflare:account/{account}"
    with inventory.reading(SOURCE, f"members of account {account}"):
        members = list(api.accounts.members.list(account_id=account))
        progress.say(f"Cloudflare: {len(members)} members")
        for member in members:
            roles = sorted(role.name for role in member.roles or [])
            groups = sorted({group.name or group.id for policy in member.policies or []
                             if policy.access != "deny"
                             for group in policy.permission_groups or []})
            email = member.user.email if member.user else f"unknown user {member.id}"
            notes = [f"status {member.status}"] if member.status else []
            if member.user and not member.user.two_factor_authentication_enabled:
                notes.append("two-factor authentication off")
            inventory.add(Access(f"cloudflare:member/{email}", "cloudflare-member", resource,
                                 _level(roles + groups),
                                 [f"role {r}" for r in roles] + [f"policy {g}" for g in groups],
                                 notes=notes))
    with inventory.reading(SOURCE, f"API tokens of account {account}"):
        tokens = list(api.accounts.tokens.list(account_id=account))
        progress.say(f"Cloudflare: {len(tokens)} API tokens")
        for token in tokens:
            if token.status != "active":
                continue
            scopes = sorted({group.name or group.id for policy in token.policies or []
                             for group in policy.permission_groups or []})
            expiry = (f"expires {token.expires_on.isoformat(timespec='seconds')}"
                      if token.expires_on else "never expires")
            last = token.last_used_on.isoformat(timespec="seconds") if token.last_used_on else None
            inventory.add(Access(f"cloudflare:token/{token.name}", "cloudflare-token", resource,
                                 _level(scopes), [f"token {token.id}: {s}" for s in scopes],
                                 last_used=last, notes=[expiry]))
    inventory.sources.setdefault(SOURCE, "read")


def _account_of_zone(api: Any, zone_id: str | None, inventory: Inventory) -> str | None:
    """The account that owns the zone (an error entry when it cannot be read)."""
    what = f"the account of zone {zone_id}"
    with inventory.reading(SOURCE, what):
        zone = api.zones.get(zone_id=str(zone_id))
        if zone is not None and zone.account is not None and zone.account.id:
            return zone.account.id
        inventory.errors.append(ReadError(SOURCE, what, "the API names no account"))
    return None


def _level(names: Iterable[str]) -> str:
    """admin for administrator roles and token/member management; write; read; else list."""
    lowered = [name.lower() for name in names]
    if any(word in name for name in lowered for word in ADMIN_WORDS):
        return "admin"
    if any("write" in name or "edit" in name for name in lowered):
        return "write"
    if any("read" in name for name in lowered):
        return "read"
    return "list" if lowered else "none"
