"""One live check: Prowler-style metadata beside a small function that judges facts.

A check never decides which control it proves: `policies/controls.yaml` (`verification.live`)
maps check ids to controls. A check reads facts through its area's reader (AWS, Cloudflare, the
site, the database, the records), which raises `CouldNotRead` for anything it was refused or
could not reach; the check then reports that resource as unreadable, never as passing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from trustctl.report.results import Finding, Status

AREAS = ("aws", "cloudflare", "site", "database", "supabase", "records", "access")


class CouldNotRead(Exception):
    """A fact could not be read (access denied, throttled beyond retries, unreachable)."""


@dataclass(frozen=True)
class Metadata:
    """What a check verifies, why it matters and how to fix a failure."""

    id: str
    area: str
    name: str
    risk: str
    remediation: str


@dataclass
class Outcome:
    """What one check found: findings (fail), what it could not read (error), the raw facts."""

    check_id: str
    findings: list[Finding] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        """fail beats error: a finding is never hidden behind something unreadable."""
        if self.findings:
            return Status.FAIL
        return Status.ERROR if self.unreadable else Status.PASS

    def fail(self, resource: str | None, message: str) -> None:
        self.findings.append(Finding(message, check_id=self.check_id, resource=resource))

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Run a block that reads facts; what it could not read is recorded, not raised."""
        try:
            yield
        except CouldNotRead as exc:
            self.unreadable.append(str(exc))

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check_id, "status": str(self.status),
                "findings": [{"resource": f.resource, "message": f.message}
                             for f in self.findings],
                "unreadable": self.unreadable, "facts": self.facts}


@dataclass(frozen=True)
class LiveCheck:
    """A check's metadata and its judging function `judge(reader, outcome)`."""

    metadata: Metadata
    judge: Callable[[Any, Outcome], None]

    @property
    def id(self) -> str:
        return self.metadata.id

    def run(self, reader: Any) -> Outcome:
        outcome = Outcome(self.id)
        with outcome.reading():
            self.judge(reader, outcome)
        return outcome


def live_check(*, id: str, area: str, name: str, risk: str,
               remediation: str) -> Callable[[Callable[[Any, Outcome], None]], LiveCheck]:
    """Declare a check: `@live_check(id=..., ...)` over `def judge(reader, out)`."""
    if area not in AREAS:
        raise ValueError(f"unknown area {area!r}")

    def wrap(judge: Callable[[Any, Outcome], None]) -> LiveCheck:
        return LiveCheck(Metadata(id, area, name, risk, remediation), judge)

    return wrap
