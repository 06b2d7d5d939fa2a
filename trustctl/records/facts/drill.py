"""The drill record's facts (`drill/1`): each step, the backup it restored, RPO and RTO.

Written by trustctl/drill/run.py, read by the evidence report (its drill history) and the
audit's record checks (RESTORE-DRILL, RPO-RTO). Times stay datetimes here: nobody re-parses
them by hand.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_serializer

from trustctl.records.facts.shape import Facts, Moment, Raw, Shape

FORMAT = "trustctl-drill-record/1"  # the drill's own JSON (`drill --format json`)
Verdict = Literal["pass", "fail", "error", "interrupted"]
StepStatus = Literal["pending", "pass", "fail", "error", "skipped"]


class Objective(Shape):
    """An objective (RPO or RTO) and what the drill measured against it (None: not measured)."""

    objective_seconds: float
    measured_seconds: float | None
    met: bool | None


class RestoredBackup(Shape):
    """The backup the drill picked, as its manifest said (authenticated or not)."""

    backup_id: str | None
    authenticated: bool
    finished_at: Moment
    source: str
    bucket: str
    region: str | None
    object_key: str
    object_version: str | None
    object_sha256: str
    kms_key_id: str


class ObjectRead(Shape):
    """What was read of the backup object while it streamed into the restore."""

    key: str
    version_id: str | None
    bytes: int
    sha256: str | None


class ScratchServer(Shape):
    kind: str
    target: str
    data_dir: str | None


class RegionOutage(Shape):
    primary_region: str
    primary_bucket: str
    primary_treated_as_gone: bool
    recovery_region: str
    replica_bucket: str
    notes: list[str]


class StepResult(Shape):
    name: str
    status: StepStatus
    seconds: float
    detail: str
    findings: list[str]
    controls: list[str]
    served_by: str | None  # the AWS region (or this host) the step read from
    blocked_by: str | None = None
    facts: Raw | None = None  # the raw facts the step looked at

    @model_serializer(mode="wrap")
    def _without_empty(self, serialize: Any) -> dict[str, Any]:
        """`blocked_by` and `facts` only when there are some (as the drill always wrote)."""
        data = serialize(self)
        return {k: v for k, v in data.items() if v or k not in ("blocked_by", "facts")}


class DrillFacts(Facts):
    KIND = "drill"
    SCHEMA = "drill/1"

    format: Literal["trustctl-drill-record/1"]
    drill_id: str
    started_at: Moment
    finished_at: Moment
    status: Verdict
    exit_code: int
    reason: str | None
    backup: RestoredBackup | None
    object_read: ObjectRead | None
    scratch: ScratchServer | None
    rpo: Objective
    rto: Objective
    region_outage: RegionOutage | None
    steps: list[StepResult]
