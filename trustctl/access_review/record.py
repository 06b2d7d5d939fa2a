"""`access-review record`: a completed review becomes the ACCESS-REVIEW record.

The record holds who reviewed, when, every decision with its reason, the findings and changes
the reviewer saw, and the SHA-256 of the review file and of the roster it was compared with.
A review that could not read every source is recorded as `error` for ACCESS-REVIEW: it does
not count as the quarter's review (the live check looks for a `pass`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from trustctl.access_review import review_file
from trustctl.environment import Environment
from trustctl.errors import InputError
from trustctl.records import Record, RecordStore
from trustctl.records.facts import AccessReviewFacts, FactsError

KIND = "access-review"
CONTROL = "ACCESS-REVIEW"


def build(review_path: Path, recorded_at: datetime) -> Record:
    """The sealed record of a completed review file; InputError naming what is missing."""
    document, raw = review_file.read(review_path)
    problems = review_file.undecided(document)
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more"
                                           if len(problems) > 3 else "")
        raise InputError(f"{review_path}: the review is not complete: {shown}")
    decisions = [{"id": row["id"], "principal": row["principal"], "resource": row["resource"],
                  "level": row["level"], "via": list(row.get("via") or []),
                  "decision": review_file.decision_of(row),
                  "reason": str(row.get("reason") or "").strip(),
                  "reviewer": str(row["reviewer"]).strip()} for row in document["rows"]]
    unread = [f"{e['source']}: {e['what']}" for e in document.get("errors") or []]
    control = {"id": CONTROL, "status": "error" if unread else "pass",
               "checks": ["access-review:recorded"],
               "findings": [{"message": f"not read when the review was prepared: {u}"}
                            for u in unread]}
    inputs = {"review": {"path": str(review_path), "sha256": hashlib.sha256(raw).hexdigest()},
              **document["inputs"]}
    try:
        facts = AccessReviewFacts.from_json({
            "reviewers": sorted({d["reviewer"] for d in decisions}), "decisions": decisions,
            "counts": dict(Counter(d["decision"] for d in decisions)),
            "findings": document["findings"], "changes": document["changes"],
            "reads": document["reads"], "period": document["period"], "inputs": inputs})
    except FactsError as exc:
        raise InputError(f"{review_path}: cannot be recorded: {exc}") from None
    return Record.new(
        facts, datetime.fromisoformat(document["prepared_at"]), recorded_at.replace(microsecond=0),
        record_id=f"{document['review_id']}-r{recorded_at:%Y%m%dT%H%M%SZ}",
        targets={**document["targets"], "sources": document["sources"]},
        provenance={"environment": environment_of(document, str(review_path)).to_json()},
        controls=[control])


def environment_of(named: dict[str, Any], where: str) -> Environment:
    """The environment a review was prepared for, as `prepare` wrote it in the review file and
    `build` in its record's provenance: the record goes to a store of that environment. One
    that names none is refused, never taken for production."""
    environment = Environment.from_json(named.get("environment"))
    if environment is None:
        raise InputError(f"{where}: names no environment (production or sandbox); record the "
                         "file `trustctl access-review prepare` wrote")
    return environment


def latest(store: RecordStore) -> Record | None:
    """The latest access-review record that counts (its ACCESS-REVIEW control passed)."""
    counted = [r for r in store.read(KIND) if r.status_of(CONTROL) == "pass"]
    return max(counted, key=lambda r: (r.finished_at, r.id), default=None)


def cuts(record: Record) -> list[dict[str, Any]]:
    """The `remove` and `reduce` decisions of a record (access to cut, checked live), each
    naming its review and reviewer."""
    return [{**d.model_dump(), "review_id": record.id}
            for d in record.facts_as(AccessReviewFacts).decisions
            if d.decision in review_file.CUTS]
