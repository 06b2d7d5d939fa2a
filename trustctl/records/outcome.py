"""A scheduled job's outcome (scripts/job-record): unauthenticated, so it may only lower a verdict.

scripts/job-record runs after every scheduled job (`if: always()`), with the standard library
only, so that a job that failed before trustctl ran still leaves a trace. It holds no signing
key, so its file is not a record: its SHA-256 shows the file was not damaged, never who wrote
it, and anyone able to drop a file among the records could forge one. Hence the asymmetry: a
job that did not succeed is a finding on the controls it names; a job that succeeded proves
nothing (the job's own signed record is the proof). An outcome is never in a chain, never a
Record, never a record problem; one that does not read is one line (a gap, as an unreadable
record is).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trustctl.records.record import RecordError

FORMAT = "trustctl-job-outcome/1"
# `job-outcome-<job>-<id>.json`: no record kind starts so, so an outcome never meets a record
PREFIX = "job-outcome-"
SUCCESS = "success"
_JOB = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def is_outcome(where: str) -> bool:
    """Whether the stored file (path or s3:// URL, maybe with ?versionId=) is a job outcome."""
    return where.split("?", 1)[0].rsplit("/", 1)[-1].startswith(PREFIX)


@dataclass(frozen=True)
class JobOutcome:
    where: str
    job: str
    outcome: str  # the job's command step: success, failure, cancelled, skipped, unknown
    controls: tuple[str, ...]
    started: datetime
    run: str  # the run's URL

    @property
    def failed(self) -> bool:
        return self.outcome != SUCCESS

    def finding(self) -> str:
        return (f"the scheduled {self.job} job ended: {self.outcome} ({self.run}) — an "
                "unauthenticated job outcome: it can only lower a verdict")

    def to_json(self) -> dict[str, Any]:
        return {"where": self.where, "job": self.job, "outcome": self.outcome,
                "controls": list(self.controls), "started": self.started.isoformat(),
                "run": self.run}

    @classmethod
    def from_bytes(cls, raw: bytes, where: str) -> JobOutcome:
        """Parse and check a stored outcome (RecordError, one line, when it does not read)."""
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise RecordError(f"{where}: job outcome is not JSON") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RecordError(f"{where}: not a {FORMAT} job outcome")
        body = {k: v for k, v in data.items() if k != "sha256"}
        # the writer's canonical form (scripts/job-record): sorted keys, no whitespace
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if data.get("sha256") != hashlib.sha256(canonical.encode()).hexdigest():
            raise RecordError(f"{where}: job outcome does not match its sha256 (damaged)")
        job, outcome, controls = data.get("job"), data.get("outcome"), data.get("controls")
        run = data.get("run")
        if (not isinstance(job, str) or not _JOB.match(job) or not isinstance(outcome, str)
                or not outcome or not isinstance(run, str)
                or not isinstance(controls, list)
                or not all(isinstance(c, str) for c in controls)):
            raise RecordError(f"{where}: job outcome lacks job, outcome, controls or run")
        try:
            started = datetime.fromisoformat(str(data.get("started")))
        except ValueError:
            raise RecordError(f"{where}: job outcome has no ISO 8601 `started`") from None
        if started.tzinfo is None:
            raise RecordError(f"{where}: job outcome's `started` has no time zone")
        return cls(where, job, outcome, tuple(controls), started.astimezone(UTC), run)
