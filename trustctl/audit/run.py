"""One audit: every live check of the areas asked for, concurrently, then results by control.

An area is either audited (a reader for it), not configured (a reason: each of its checks is
`error`, since something asked for could not be checked) or skipped on purpose (`--skip`: its
checks do not run, and a control with no other check is `not_applicable`). The check -> control
map is the catalog's `verification.live`, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from trustctl.audit.live_check import LiveCheck, Outcome
from trustctl.catalog import Control
from trustctl.report.results import ControlResult, Finding, Status


@dataclass
class AuditRun:
    """What one audit found: per check and per control."""

    outcomes: list[Outcome]
    controls: list[ControlResult]
    areas: dict[str, str] = field(default_factory=dict)  # area -> audited / skipped / why not


def run_checks(checks: tuple[LiveCheck, ...], readers: Mapping[str, Any],
               not_configured: Mapping[str, str], skip_checks: Mapping[str, str] | None = None,
               parallel: int = 16,
               on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run the checks of every area with a reader (concurrently); a not-configured area's
    checks are errors naming what is missing. Checks of other areas, and checks skipped on
    purpose (`skip_checks`: id -> why, recorded), do not run. An area whose reader is a list
    (several AWS accounts) runs each check once per reader and merges the outcomes."""
    skip_checks = skip_checks or {}
    runnable = [c for c in checks if c.metadata.area in readers and c.id not in skip_checks]

    def run(check: LiveCheck) -> Outcome:
        reader = readers[check.metadata.area]
        if isinstance(reader, list):  # several accounts: one outcome, findings by account
            outcome = merge(check.id, [(r.label, check.run(r)) for r in reader])
        else:
            outcome = check.run(reader)
        if on_done is not None:
            on_done(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(runnable) or 1)),
                            thread_name_prefix="audit-check") as pool:
        outcomes = list(pool.map(run, runnable))
    for check in checks:
        reason = not_configured.get(check.metadata.area)
        if reason is not None:
            outcomes.append(Outcome(check.id, unreadable=[reason]))
    return outcomes


def merge(check_id: str, labelled: list[tuple[str, Outcome]]) -> Outcome:
    """One check over several accounts: every account's findings and unreadables, named."""
    merged = Outcome(check_id)
    for label, outcome in labelled:
        for finding in outcome.findings:
            merged.fail(f"{label}: {finding.resource}" if finding.resource else label,
                        finding.message)
        merged.unreadable += [f"{label}: {what}" for what in outcome.unreadable]
        merged.facts[label] = outcome.facts
    return merged


def by_control(catalog: tuple[Control, ...], outcomes: list[Outcome]) -> list[ControlResult]:
    """fail if a check failed; else error if one could not read; pass if every check that ran
    passed; not_applicable when none of the control's live checks ran."""
    ran = {o.check_id: o for o in outcomes}
    results = []
    for control in catalog:
        mine = [ran[i] for i in control.verification.live if i in ran]
        if not mine:
            results.append(ControlResult(control.id, Status.NOT_APPLICABLE))
            continue
        statuses = {o.status for o in mine}
        status = (Status.FAIL if Status.FAIL in statuses else
                  Status.ERROR if Status.ERROR in statuses else Status.PASS)
        findings = [f for o in mine for f in o.findings]
        findings += [Finding(f"could not check: {what}", check_id=o.check_id)
                     for o in mine for what in o.unreadable]
        results.append(ControlResult(control.id, status, findings,
                                     checks=[o.check_id for o in mine]))
    return results
