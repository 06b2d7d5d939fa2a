"""`access-review prepare`: read every source, compare with the roster and the last review, and
lay the review out for a reviewer.

Sources: AWS (IAM, Identity Center, CloudTrail log files), the database, Cloudflare. Each one
is read, or skipped on purpose (`--skip`, with the reason in the review), or it is an error
entry: a source nobody configured is never silently left out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustctl.access_review import (
    aws_iam,
    changes,
    cloudflare_access,
    data_reads,
    database,
    database_reads,
    findings,
    identity_center,
    record,
    review_file,
)
from trustctl.access_review.cloudflare_access import CloudflareTarget
from trustctl.access_review.database import TenantTables
from trustctl.access_review.inventory import Inventory, ReadError
from trustctl.access_review.progress import QUIET, Progress
from trustctl.access_review.roster import Roster
from trustctl.aws import AwsTarget
from trustctl.dsn import Dsn
from trustctl.records import RecordStore
from trustctl.records.facts import AccessReviewFacts
from trustctl.report.results import ControlResult, Finding, Status

SOURCES = ("aws", "database", "cloudflare")
PRINCIPAL_SOURCES = (aws_iam.SOURCE, identity_center.SOURCE, database.SOURCE,
                     cloudflare_access.SOURCE)
# Which sources each control's verdict rests on.
CONTROL_SOURCES = {"STAFF-ACCESS": PRINCIPAL_SOURCES,
                   "ACCESS-LOGGED": (data_reads.SOURCE, database_reads.SOURCE),
                   "ACCESS-REVIEW": PRINCIPAL_SOURCES}
# Controls a prepared review cannot pass: the command that judges them once every row is decided.
DECIDED_LATER = {"ACCESS-REVIEW": "trustctl access-review record"}


@dataclass
class Sources:
    """Where to read; None for a source not configured; `skipped` maps a source to why."""

    aws: AwsTarget | None = None
    dsn: Dsn | None = None
    tenant_tables: TenantTables = field(default_factory=TenantTables)
    cloudflare: CloudflareTarget | None = None
    database_logs: tuple[Path, ...] = ()  # csvlog/jsonlog files: reads of tenant tables
    skipped: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # source: how to configure it


def collect(sources: Sources, progress: Progress = QUIET) -> Inventory:
    """Every principal with production access in the configured sources (no reads)."""
    inventory = Inventory()
    for name, reason in sources.skipped.items():
        inventory.sources[name] = f"skipped: {reason}"
    for name, how in sources.missing.items():
        if name not in sources.skipped:
            inventory.errors.append(ReadError(name, "configuration", f"not configured: {how}"))
    if sources.aws and "aws" not in sources.skipped:
        progress.say("reading AWS IAM")
        aws_iam.collect(sources.aws, inventory, progress)
        progress.say("reading AWS IAM Identity Center")
        identity_center.collect(sources.aws, inventory, progress)
    if sources.dsn and "database" not in sources.skipped:
        progress.say("reading the database's roles and grants")
        database.collect(sources.dsn, sources.tenant_tables, inventory, progress)
    if sources.cloudflare and "cloudflare" not in sources.skipped:
        progress.say("reading Cloudflare members and API tokens")
        cloudflare_access.collect(sources.cloudflare, inventory, progress)
    return inventory


@dataclass
class Previous:
    """The last review: its rows (for the changes) and its removals and reductions (to verify
    they were carried out)."""

    label: str | None = None
    rows: list[dict[str, Any]] | None = None
    cuts: list[dict[str, Any]] = field(default_factory=list)
    input: dict[str, str] | None = None

    @classmethod
    def find(cls, previous_file: Path | None, records: RecordStore) -> Previous:
        """From `previous_file` (a review file) if given, else the latest counted record."""
        if previous_file is not None:
            document, raw = review_file.read(previous_file)
            return cls(f"review {document['review_id']} ({previous_file})", document["rows"],
                       [{**row, "decision": decision, "review_id": document["review_id"]}
                        for row in document["rows"]
                        if (decision := review_file.decision_of(row)) in review_file.CUTS],
                       {"path": str(previous_file), "sha256": hashlib.sha256(raw).hexdigest()})
        latest = record.latest(records)
        if latest is None:
            return cls()
        return cls(f"review {latest.id} (recorded {latest.finished})",
                   [d.model_dump() for d in latest.facts_as(AccessReviewFacts).decisions],
                   record.cuts(latest),
                   {"record": latest.id, "sha256": latest.sha256})


def prepare(sources: Sources, roster: Roster, previous: Previous, period: data_reads.Period,
            progress: Progress, now: datetime | None = None) -> dict[str, Any]:
    """The review document (see review_file) from live sources."""
    now = now or datetime.now(UTC)
    inventory = collect(sources, progress)
    reads = data_reads.ReadsSummary()
    if "aws" in sources.skipped:
        inventory.sources[data_reads.SOURCE] = "skipped: AWS left out"
    elif sources.aws is None:
        inventory.errors.append(ReadError(data_reads.SOURCE, "configuration",
                                          "not configured: reads are read from AWS"))
    else:
        progress.say("reading CloudTrail log files for reads of customer data")
        reads = data_reads.collect(sources.aws, period, inventory, progress)
    database_log = _database_log(sources, period, inventory, progress)
    accesses = inventory.merged()
    flags = findings.flags(accesses, roster, previous.cuts, reads.not_logged)
    rows = review_file.rows(accesses, roster, flags, reads.reads, previous.rows,
                            database_log.reads if database_log else None)
    progress.say(f"{len(rows)} accesses, {len(flags)} findings, {len(inventory.errors)} not read")
    return {
        "format": review_file.FORMAT,
        "review_id": f"{now:%Y%m%dT%H%M%SZ}",
        "prepared_at": now.isoformat(timespec="seconds"),
        "period": {"start": period.start.isoformat(timespec="seconds"),
                   "end": period.end.isoformat(timespec="seconds")},
        "inputs": {"roster": {"path": roster.path, "sha256": roster.sha256},
                   "previous": previous.input},
        "targets": _targets(sources),
        "sources": _source_status(inventory),
        "errors": [e.to_json() for e in inventory.errors],
        "findings": [f.to_json() for f in flags],
        "changes": changes.since(previous.rows, rows, previous.label),
        "reads": [r.to_json() for r in reads.reads],
        "database_reads": database_log.to_json() if database_log else None,
        "rows": rows,
    }


def _database_log(sources: Sources, period: data_reads.Period, inventory: Inventory,
                  progress: Progress) -> database_reads.LogReads | None:
    """Reads in the database's log files, where configured (None: no log was read)."""
    if "database" in sources.skipped:
        inventory.sources[database_reads.SOURCE] = "skipped: the database left out"
        return None
    if not sources.database_logs:
        inventory.sources[database_reads.SOURCE] = "skipped: no --database-log given"
        return None
    if sources.dsn is None:  # an error of its own (database: not configured)
        inventory.sources[database_reads.SOURCE] = "skipped: no database to name tenant tables"
        return None
    progress.say("reading the database's log for reads of tenant tables")
    return database_reads.collect(sources.dsn, sources.tenant_tables, sources.database_logs,
                                  period, inventory, progress)


def control_results(document: dict[str, Any]) -> list[ControlResult]:
    """STAFF-ACCESS, ACCESS-LOGGED and ACCESS-REVIEW as the prepared review shows them.

    A control fails on its findings; else it is `error` when a source it rests on could not be
    read, `not_applicable` when every such source was skipped on purpose, else `pass`. No
    reviewer has decided anything yet: ACCESS-REVIEW never passes here (it is `not_applicable`,
    owned by `access-review record`, unless the last review's removals fail it).
    """
    results = []
    for control, sources in CONTROL_SOURCES.items():
        mine = [Finding(f["message"], check_id=f"access-review:{f['check']}",
                        resource=f["principal"])
                for f in document["findings"] if f["control"] == control]
        unread = [Finding(f"not read: {e['source']}: {e['what']}: {e['message']}",
                          check_id="access-review:read")
                  for e in document["errors"] if e["source"] in sources]
        read = [name for name in sources if name in document["sources"] and
                not document["sources"][name].startswith("skipped")]
        status = (Status.FAIL if mine else Status.ERROR if unread else
                  Status.PASS if read and control not in DECIDED_LATER else
                  Status.NOT_APPLICABLE)
        checks = sorted(f"access-review:{check}" for check, owner in findings.CONTROL_OF.items()
                        if owner == control)
        results.append(ControlResult(control, status, mine or unread, checks=checks,
                                     owned_by=DECIDED_LATER.get(control) if read and
                                     status is Status.NOT_APPLICABLE else None))
    return results


def _targets(sources: Sources) -> dict[str, Any]:
    """Where each source was read (no password, no token)."""
    return {
        "aws": {"region": sources.aws.region, "endpoint": sources.aws.endpoint_url}
        if sources.aws else None,
        "database": str(sources.dsn) if sources.dsn else None,
        "cloudflare": {"account": sources.cloudflare.account_id,
                       "base_url": sources.cloudflare.base_url} if sources.cloudflare else None,
    }


def _source_status(inventory: Inventory) -> dict[str, str]:
    status = dict(inventory.sources)
    for error in inventory.errors:
        status[error.source] = "error (see errors)"
    return dict(sorted(status.items()))
