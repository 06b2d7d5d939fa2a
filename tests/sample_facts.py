"""Typed facts of each record kind for tests that write records without running the flow:
the smallest facts a real run would write, with the figures a test cares about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustctl.records.facts import (
    AccessReviewFacts,
    AuditFacts,
    BackupFacts,
    DrillFacts,
    GateFacts,
)
from trustctl.records.facts.drill import FORMAT as DRILL_FORMAT

HOUR = 3600.0


def backup_facts(started: dt.datetime, finished: dt.datetime, *, object_bytes: int = 1_048_576,
                 source: str = "postgresql://claver@db:5432/claver") -> BackupFacts:
    return BackupFacts.from_json({
        "format": "trustctl-backup-manifest/2", "backup_id": f"{started:%Y%m%dT%H%M%SZ}",
        "source": source, "started_at": started.isoformat(), "finished_at": finished.isoformat(),
        "object_key": "backups/x/dump.enc", "object_version": None,
        "object_bytes": object_bytes, "object_sha256": "ab" * 32, "dump_bytes": 2 * object_bytes,
        "kms_key_id": "arn:aws:kms:eu-west-2:123456789012:key/k", "encryption_context": {},
        "compression": "zstd", "dump_format": "custom", "tool_version": "0",
        "pg_dump_version": "18", "server_version": "18", "tables": [], "roles": [],
        "retain_until": None, "excluded_schemas": [], "extensions": [],
        "source_identity": None, "authentication": None, "table_objects": []})


def audit_facts(exit_code: int = 0, checks: list[dict[str, Any]] | None = None) -> AuditFacts:
    return AuditFacts.from_json({"exit_code": exit_code, "checks": checks or []})


def gate_facts(resources_checked: int = 120) -> GateFacts:
    return GateFacts.from_json({
        "tool": "trustctl gate", "origin": "program . (stack prod)", "exit_code": 0,
        "resources_checked": resources_checked, "advisories": [], "exceptions": [],
        "excepted_findings": [], "unchecked": [], "roles": {}})


def drill_facts(started: dt.datetime, finished: dt.datetime, *, status: str = "pass",
                rto_seconds: float | None = 12.5, rpo_seconds: float | None = 8 * HOUR,
                reason: str | None = None) -> DrillFacts:
    def objective(objective: float, measured: float | None) -> dict[str, Any]:
        return {"objective_seconds": objective, "measured_seconds": measured,
                "met": None if measured is None else measured <= objective}

    return DrillFacts.from_json({
        "format": DRILL_FORMAT, "drill_id": f"{started:%Y%m%dT%H%M%SZ}-d",
        "started_at": started.isoformat(), "finished_at": finished.isoformat(),
        "status": status, "exit_code": {"pass": 0, "fail": 1}.get(status, 2),
        "reason": reason, "backup": None, "object_read": None, "scratch": None,
        "rpo": objective(24 * HOUR, rpo_seconds), "rto": objective(4 * HOUR, rto_seconds),
        "region_outage": None, "steps": []})


def access_review_facts(start: dt.datetime, end: dt.datetime,
                        reviewer: str = "head of engineering") -> AccessReviewFacts:
    decision = {"id": "aws:role/admin", "principal": "alice", "resource": "aws:123456789012",
                "level": "admin", "via": [], "decision": "keep", "reason": "on call",
                "reviewer": reviewer}
    return AccessReviewFacts.from_json({
        "reviewers": [reviewer], "decisions": [decision], "counts": {"keep": 1},
        "findings": [], "changes": {"since": None, "added": [], "removed": [], "widened": [],
                                    "reduced": []},
        "reads": [], "period": {"start": start.isoformat(), "end": end.isoformat()},
        "inputs": {"roster": {"path": "roster.yaml", "sha256": "0" * 64}, "previous": None}})
