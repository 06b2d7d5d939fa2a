"""What the collectors found: one `Access` per principal and thing it can reach, plus what could
not be read. A source that could not be read is an error entry, never an empty list: an
access review that silently misses a source would pass everyone it did not see.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from trustctl import redaction
from trustctl.errors import TrustctlError

LEVELS = ("none", "list", "read", "write", "admin")
CLIENT_LIBRARIES = frozenset({"botocore", "boto3", "cloudflare", "httpx", "httpcore", "psycopg"})


def could_not_read(exc: BaseException) -> bool:
    """True for what a service or the network answers (denied, unreachable, throttled), from
    boto3, the Cloudflare SDK (httpx), psycopg, or our own errors."""
    module = type(exc).__module__.split(".", 1)[0]
    return module in CLIENT_LIBRARIES or isinstance(exc, TrustctlError | OSError)


def level_rank(level: str) -> int:
    """none < list (metadata) < read < write < admin, so levels compare."""
    return LEVELS.index(level)


@dataclass(frozen=True)
class Trust:
    """Who may assume a role: an AWS principal, a service or a federated identity provider."""

    principal: str
    type: str  # AWS | Service | Federated
    mfa: bool = False
    external_id: bool = False

    def describe(self) -> str:
        conditions = [c for c, on in (("MFA", self.mfa), ("external id", self.external_id)) if on]
        return self.principal + (f" ({', '.join(conditions)})" if conditions else "")


@dataclass
class Access:
    """One principal and one thing it can reach, at a level, through something (policy, grant)."""

    principal: str  # e.g. aws:role/claver-prod-on-call, postgres:claver_app
    kind: str  # iam-user, iam-role, sso-user, db-role, cloudflare-member, cloudflare-token
    resource: str  # e.g. s3:claver-prod-database-backups, postgres:claver/public
    level: str
    via: list[str] = field(default_factory=list)
    trust: list[Trust] = field(default_factory=list)
    last_used: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.principal} -> {self.resource}"


@dataclass(frozen=True)
class ReadError:
    """Something that could not be read, and why (never holds a secret)."""

    source: str
    what: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "what": self.what, "message": self.message}


@dataclass
class Inventory:
    """Everything the collectors saw, and each source's status (read, skipped, error)."""

    accesses: list[Access] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, access: Access) -> None:
        self.accesses.append(access)

    def add_reach(self, template: Access, reached: list[tuple[str, str]]) -> None:
        """One access per (resource, level) reached; `template` itself when nothing is.

        A principal that reaches no data store still has production access (to the account
        `template` names): it stays in the review, marked so.
        """
        if not reached:
            template.notes.append("no data store reached")
            self.add(template)
        for resource, level in reached:
            self.add(dataclasses.replace(template, resource=resource, level=level,
                                         via=list(template.via), notes=list(template.notes)))

    @contextlib.contextmanager
    def reading(self, source: str, what: str) -> Iterator[None]:
        """Records a refusal or an unreachable service inside as an error entry naming `what`,
        and carries on; anything else (a defect) propagates."""
        try:
            yield
        except Exception as exc:
            if not could_not_read(exc):
                raise
            text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self.errors.append(ReadError(source, what, redaction.redact(text)[:300]))

    def merged(self) -> list[Access]:
        """Accesses in a stable order, one per (principal, resource), the widest level kept."""
        by_id: dict[str, Access] = {}
        for access in self.accesses:
            kept = by_id.get(access.id)
            if kept is None:
                by_id[access.id] = access
                continue
            if level_rank(access.level) > level_rank(kept.level):
                kept.level = access.level
            kept.via = sorted(set(kept.via) | set(access.via))
            kept.notes = sorted(set(kept.notes) | set(access.notes))
        return [by_id[key] for key in sorted(by_id)]
