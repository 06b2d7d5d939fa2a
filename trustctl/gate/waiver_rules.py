"""A waiver within its limits: it expires at most `waiver_max_days` (the catalog's
change_control) after the date it was added, its owner is an accountable owner
(policies/owners.yaml), it is dated no later than the commit that wrote its date, and it never
waives the owners' review of a policy change.

A waiver that breaks a rule is refused: it accepts nothing, and the control it names fails with
one line naming the entry (`file:line`) and the rule, as an expired one does. That is a failed
control (exit 1), not input the gate could not read (exit 2, kept for a malformed entry): the
entry is well formed, and what it asks (a finding accepted for years, or by nobody accountable)
is the finding; every other control is still judged.

Dating an entry earlier than it was written only shortens it; dating it later would stretch
it, so the date is bounded by today and, where git can tell, by the commit that last wrote it.
Where git cannot tell (the file is not in a git checkout, or not committed, or git fails) that
rule is not checked, and says so: the waiver still accepts its finding, but its control reads
`error` with one line naming the entry, never `excepted` (exit 2 when nothing failed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from trustctl.catalog import ChangeControl, Control, change_control
from trustctl.gate.exceptions import Waiver, load_exceptions
from trustctl.gate.git_history import LineOrigin, line_origins
from trustctl.gate.owners import Owners, load_owners
from trustctl.gate.policy_set import PolicySet

POLICY_CHANGE = "trustctl/policy-change"  # gate/policy_change.py's check
# the writer's date may be a day ahead of the committer's (time zones)
_TIME_ZONE_SLACK = dt.timedelta(days=1)


def judged_waivers(policies: PolicySet, catalog: tuple[Control, ...],
                   today: dt.date) -> list[Waiver]:
    """The run's exceptions, read once: each malformed entry refused (InputError, exit 2),
    then every entry judged against the rules (`refused` says which one it breaks)."""
    waivers = load_exceptions(policies.exceptions, frozenset(c.id for c in catalog),
                              frozenset(check for c in catalog for check in c.verification.static))
    if not waivers:
        return []
    return judge(waivers, change_control(policies.catalog), load_owners(policies.owners), today,
                 line_origins(policies.exceptions), _reviewing_changes(catalog))


def judge(waivers: list[Waiver], rules: ChangeControl, owners: Owners, today: dt.date,
          origins: Mapping[int, LineOrigin] | None, unwaivable: frozenset[str]) -> list[Waiver]:
    """The same waivers, each that breaks a rule marked `refused` with the first it breaks;
    without git history (`origins` None) each other one is marked `unchecked`."""
    judged = []
    for waiver in waivers:
        why = _broken_rule(waiver, rules, owners, today, origins or {}, unwaivable)
        if why is not None:
            judged.append(dataclasses.replace(waiver, refused=why))
        elif origins is None:
            judged.append(dataclasses.replace(waiver, unchecked=_unbounded(waiver)))
        else:
            judged.append(waiver)
    return judged


def _unbounded(waiver: Waiver) -> str:
    added = waiver.added.isoformat() if waiver.added else "?"
    return (f"its date added ({added}) is not checked against the commit that wrote it: git "
            f"has no history of {waiver.file or 'the exceptions file'} here (not in a git "
            "checkout, or not committed); judge the exceptions of a git checkout")


def _broken_rule(waiver: Waiver, rules: ChangeControl, owners: Owners, today: dt.date,
                 origins: Mapping[int, LineOrigin], unwaivable: frozenset[str]) -> str | None:
    if waiver.check == POLICY_CHANGE or (waiver.check is None and waiver.control in unwaivable):
        return (f"it would waive the owners' review of a policy change ({POLICY_CHANGE}), "
                "which is never waived")
    if waiver.added is None:
        return "it records no date added (added: YYYY-MM-DD)"
    if waiver.added > today:
        return f"added {waiver.added.isoformat()}, a date still to come"
    written = origins.get(waiver.added_line or 0)
    if written is not None and waiver.added > written.committed + _TIME_ZONE_SLACK:
        return (f"added {waiver.added.isoformat()}, later than the commit that wrote that date "
                f"({written.commit[:12]}, {written.committed.isoformat()})")
    days = (waiver.expires - waiver.added).days
    if days > rules.waiver_max_days:
        return (f"expires {waiver.expires.isoformat()}, {days:,} days after it was added on "
                f"{waiver.added.isoformat()}: at most {rules.waiver_max_days} "
                "(change_control.waiver_max_days)")
    if waiver.owner not in owners:
        missing = "" if owners.path.exists() else ", which does not exist"
        return f"owner {waiver.owner!r} is not an accountable owner in {owners.path}{missing}"
    return None


def _reviewing_changes(catalog: tuple[Control, ...]) -> frozenset[str]:
    """Controls that judge policy changes: a waiver of the whole control would waive that."""
    return frozenset(c.id for c in catalog if POLICY_CHANGE in c.verification.static)
