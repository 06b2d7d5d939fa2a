"""The audit record's facts (`audit/1`): the run's exit code and every live check's outcome."""

from __future__ import annotations

from trustctl.records.facts.shape import Facts, Raw, Shape


class CheckFinding(Shape):
    resource: str | None  # None: the finding is about the account, not one resource
    message: str


class CheckOutcome(Shape):
    """One live check: its status, findings, what it could not read, the raw facts it saw."""

    check: str
    status: str
    findings: list[CheckFinding]
    unreadable: list[str]
    facts: Raw


class AuditFacts(Facts):
    KIND = "audit"
    SCHEMA = "audit/1"

    exit_code: int
    checks: list[CheckOutcome]
