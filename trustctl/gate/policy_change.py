"""A pull request that changes the gate it is judged by, found by comparing its repository with
a checkout of the base branch (`trustctl gate --base DIR`).

In CI the gate runs from the base branch with the base branch's catalog, checks, exceptions and
owners, so nothing a pull request edits in policies/, in trustctl or in the workflows changes
its own verdict. The edit is still a change to the gate, which only its owners may make: each
path of the catalog's `change_control.owners_review` that differs from the base is a failed
check `trustctl/policy-change` under CHANGE-CONTROL ("policy change needs review by the
owners"; CODEOWNERS names them). A waiver the pull request adds has no effect, since the base's
exceptions are in force: it gets a line of its own, with the rule it would break, so the author
sees why the finding it was meant to accept still fails.
"""

from __future__ import annotations

import filecmp
import os
import stat
from pathlib import Path

from trustctl.gate.checkov_runner import CheckResult
from trustctl.gate.exceptions import Waiver
from trustctl.gate.reviewed_paths import files_under
from trustctl.gate.waiver_rules import POLICY_CHANGE

NEEDS_REVIEW = "policy change needs review by the owners"
_NAMED = 5  # changed files named per path; the rest are counted


def policy_change(base: Path, repository: Path, owners_review: tuple[str, ...],
                  in_force: list[Waiver], proposed: list[Waiver]) -> list[CheckResult]:
    """One failed check per reviewed path that differs from the base, one per waiver the pull
    request adds (`proposed`: its exceptions, judged by the base's rules); a passed check when
    nothing differs."""
    results = [_changed(entry, changed) for entry in owners_review
               if (changed := differences(base, repository, entry))]
    kept = {_identity(w) for w in in_force}
    results += [_added(w, repository) for w in proposed if _identity(w) not in kept]
    return results or [CheckResult(POLICY_CHANGE, NEEDS_REVIEW, True, "policy")]


def differences(base: Path, repository: Path, entry: str) -> list[str]:
    """The files under `entry` (a file, or a directory with a trailing `/`) that were added,
    removed or changed between the two trees, as repository-relative paths, sorted."""
    theirs, ours = dict(files_under(base, entry)), dict(files_under(repository, entry))
    return sorted(name for name in theirs.keys() | ours.keys()
                  if name not in theirs or name not in ours or not _same(theirs[name], ours[name]))


def _same(theirs: Path, ours: Path) -> bool:
    """Byte for byte (a link by where it points; anything but a file or link differs)."""
    kinds = {stat.S_IFMT(p.lstat().st_mode) for p in (theirs, ours)}
    if kinds == {stat.S_IFLNK}:
        return os.readlink(theirs) == os.readlink(ours)
    return kinds == {stat.S_IFREG} and filecmp.cmp(theirs, ours, shallow=False)


def _changed(entry: str, changed: list[str]) -> CheckResult:
    named = ", ".join(changed[:_NAMED]) + (
        f" and {len(changed) - _NAMED} more" if len(changed) > _NAMED else "")
    return CheckResult(
        POLICY_CHANGE, NEEDS_REVIEW, False, entry,
        details=(f"{entry} differs from the base branch ({named}): its code owners review "
                 "and merge it (CODEOWNERS)",),
        file=changed[0])


def _added(waiver: Waiver, repository: Path) -> CheckResult:
    what = " ".join(w for w in (waiver.control, waiver.check) if w)
    also = f"; it would be refused: {waiver.refused}" if waiver.refused else ""
    file = Path(waiver.file or "").resolve()
    where = file.relative_to(repository.resolve()).as_posix() \
        if file.is_relative_to(repository.resolve()) else waiver.file
    return CheckResult(
        POLICY_CHANGE, NEEDS_REVIEW, False, f"{where}:{waiver.line}",
        details=(f"waiver added by this pull request ({what} on {waiver.resource}, owner "
                 f"{waiver.owner}, expires {waiver.expires.isoformat()}) is not in force: only "
                 f"the base branch's are, until the owners merge it{also}",),
        file=where, line=waiver.line)


def _identity(waiver: Waiver) -> tuple[object, ...]:
    return (waiver.control, waiver.check, waiver.resource, waiver.reason, waiver.owner,
            waiver.added, waiver.expires)
