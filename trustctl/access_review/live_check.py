"""The ACCESS-REVIEW live check: the quarter's review was recorded and done.

Passes when the latest counted access-review record (its review read every source) finished
no more than a quarter ago (ACCESS-REVIEW's every_days in the catalog), no access it decided to
remove is still present and none it decided to reduce is unchanged. The audit's check
(trustctl/audit/checks/access/, where its metadata lives) passes its sources to `check_live`;
a source it could not read makes the check `error` unless something already failed (a finding
is never hidden).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trustctl.access_review import findings, record
from trustctl.access_review.inventory import Inventory
from trustctl.access_review.prepare import Sources, collect
from trustctl.access_review.progress import QUIET, Progress
from trustctl.catalog import page_figures
from trustctl.records import RecordStore
from trustctl.report.results import ControlResult, Finding, Status

CHECK_ID = "AUD_ACCESS_REVIEW_1"  # its metadata: trustctl/audit/checks/access/


def check(records: RecordStore, inventory: Inventory, now: datetime | None = None
          ) -> ControlResult:
    """ACCESS-REVIEW from the access-review records in `records` and the live `inventory`."""
    now = now or datetime.now(UTC)
    latest = record.latest(records)
    found: list[Finding] = []
    if latest is None:
        found.append(_finding(f"no completed access review recorded in {records}"))
    else:
        age = now - latest.finished_at
        max_age = timedelta(days=page_figures().review_every_days)
        if age > max_age:
            found.append(_finding(f"the last access review ({latest.id}) was recorded "
                                  f"{age.days} days ago, more than {max_age.days}"))
        found += [_finding(flag.message, flag.principal) for flag in
                  findings.cuts_not_done(inventory.merged(), record.cuts(latest))]
    if found:
        status = Status.FAIL
    elif inventory.errors:
        status = Status.ERROR
        found = [_finding(f"not read, so removals and reductions there are unverified: "
                          f"{e.source}: {e.what}: {e.message}") for e in inventory.errors]
    else:
        status = Status.PASS
    return ControlResult(record.CONTROL, status, found, checks=[CHECK_ID])


def check_live(records: RecordStore, sources: Sources, progress: Progress = QUIET,
               now: datetime | None = None) -> ControlResult:
    """Reads the principals at `sources` (as `prepare` does, without reads) and judges."""
    return check(records, collect(sources, progress), now)


def _finding(message: str, resource: str | None = None) -> Finding:
    return Finding(message, check_id=CHECK_ID, resource=resource)
