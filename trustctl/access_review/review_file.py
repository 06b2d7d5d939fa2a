"""The review file a reviewer works through: YAML, one row per principal and access, sorted, so
a pull request shows each decision and each change as its own lines.

Each row ends with `decision` (keep / remove / reduce), `reason` and `reviewer`, left empty by
`prepare` and filled in by the reviewer; `record` refuses a file where any is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trustctl import redaction
from trustctl.access_review.data_reads import Reads
from trustctl.access_review.findings import Flag
from trustctl.access_review.inventory import Access
from trustctl.access_review.roster import Roster
from trustctl.errors import InputError
from trustctl.input_limits import REVIEW, load_yaml

FORMAT = "trustctl-access-review/1"
DECISIONS = ("keep", "remove", "reduce")
CUTS = ("remove", "reduce")  # decisions to cut access: checked live, and each needs a reason
DOCUMENT_KEYS = ("review_id", "prepared_at", "period", "inputs", "targets", "sources", "errors",
                 "findings", "changes", "reads", "rows")
ROW_KEYS = ("id", "principal", "resource", "level")
HEADER = """\
# trustctl access review. For every row, fill in:
#   decision: keep | remove | reduce    reason: why (required for remove and reduce)
#   reviewer: who decided (name or email)
# then `trustctl access-review record <this file>`. A `remove` or `reduce` is checked on the
# next prepare and by the audit: access still present (or, for a reduce, unchanged) is a
# finding. Do not edit the other fields.
"""


def rows(accesses: list[Access], roster: Roster, flags: list[Flag], reads: list[Reads],
         previous: list[dict[str, Any]] | None = None,
         database_reads: list[Reads] | None = None) -> list[dict[str, Any]]:
    """The review's rows, in the accesses' stable order, decisions empty; what the last review
    decided on the same row is shown beside (never copied: each quarter decides afresh).
    `database_reads` is None when the database's log was not read."""
    decided = {row["id"]: row for row in previous or () if row.get("decision")}
    flagged: dict[str, list[str]] = {}
    for flag in flags:
        flagged.setdefault(flag.principal, []).append(flag.check)
    reads_by = {r.principal: r for r in reads}
    table_reads_by = {r.principal: r for r in database_reads or ()}
    out = []
    for access in accesses:
        entry = roster.entry_for(access.principal)
        out.append({
            "id": access.id,
            "principal": access.principal,
            "kind": access.kind,
            "resource": access.resource,
            "level": access.level,
            "via": access.via,
            "assumable_by": [t.describe() for t in access.trust],
            "last_used": access.last_used,
            "reads_in_period": _reads_in_period(access, reads_by, table_reads_by,
                                                database_reads is not None),
            "notes": access.notes,
            "roster": entry.describe() if entry else None,
            "flags": sorted(set(flagged.get(access.principal, []))),
            "last_decision": _last_decision(decided.get(access.id)),
            "decision": "",
            "reason": "",
            "reviewer": "",
        })
    return out


def _reads_in_period(access: Access, reads_by: dict[str, Reads],
                     table_reads_by: dict[str, Reads], log_read: bool) -> int | None:
    """Reads of the row's bucket (CloudTrail), or of its schema's tenant tables (the database's
    log); None where nothing tells."""
    if access.resource.startswith("s3:"):
        reads = reads_by.get(access.principal)
        return reads.places.get(access.resource.removeprefix("s3:"), 0) if reads else None
    if access.kind != "db-role" or not log_read or "/" not in access.resource:
        return None
    schema = access.resource.rsplit("/", 1)[1]
    reads = table_reads_by.get(access.principal)
    return sum(n for table, n in reads.places.items()
               if table.startswith(f"{schema}.")) if reads else 0


def _last_decision(row: dict[str, Any] | None) -> str | None:
    if row is None:
        return None
    reason = f": {row['reason']}" if row.get("reason") else ""
    return f"{row['decision']} by {row.get('reviewer') or '?'}{reason}"


def write(document: dict[str, Any], path: Path, summaries: dict[str, str]) -> list[Path]:
    """The review as YAML (keys in the document's order, instructions on top) and each
    readable summary beside it (suffix -> text); returns the summaries' paths."""
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)
    written = [path.with_suffix(suffix) for suffix in summaries]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        redaction.write_file(path, HEADER + text)
        for summary_path, summary in zip(written, summaries.values(), strict=True):
            redaction.write_file(summary_path, summary)
    except OSError as exc:
        raise InputError(f"cannot write the review to {exc.filename or path}: "
                         f"{exc.strerror}") from None
    return written


def read(path: Path) -> tuple[dict[str, Any], bytes]:
    """The review document and its exact bytes (their SHA-256 goes into the record)."""
    read = load_yaml(path, REVIEW, "review")
    document, raw = read.document, read.raw
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f"{path}: not a {FORMAT} review (prepare one with "
                         "`trustctl access-review prepare`)")
    missing = [key for key in DOCUMENT_KEYS if key not in document]
    if missing or not isinstance(document["rows"], list):
        raise InputError(f"{path}: the review lacks {', '.join(missing) or 'a list of rows'} "
                         "(prepare a new one; edit only decision, reason and reviewer)")
    for number, row in enumerate(document["rows"], 1):
        if not isinstance(row, dict) or any(key not in row for key in ROW_KEYS):
            raise InputError(f"{path}: row {number} lacks one of {', '.join(ROW_KEYS)} (edit "
                             "only decision, reason and reviewer)")
    return document, raw


def decision_of(row: dict[str, Any]) -> str:
    """The row's decision as recorded (keep, remove, reduce; empty when undecided)."""
    return str(row.get("decision") or "").strip().lower()


def undecided(document: dict[str, Any]) -> list[str]:
    """Why each incomplete row cannot be recorded yet (empty when the review is complete)."""
    problems = []
    for number, row in enumerate(document["rows"], 1):
        what = f"row {number} ({row.get('id', '?')})"
        decision = decision_of(row)
        if decision not in DECISIONS:
            problems.append(f"{what}: decision must be one of {'/'.join(DECISIONS)}, "
                            f"not {row.get('decision')!r}")
        if not str(row.get("reviewer") or "").strip():
            problems.append(f"{what}: no reviewer")
        if decision in CUTS and not str(row.get("reason") or "").strip():
            problems.append(f"{what}: a {decision} needs a reason")
    return problems
