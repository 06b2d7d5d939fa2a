"""When each line of a file entered git history: what `git blame` says, where git can say it.

A waiver records the date it was added; the commit that last wrote that line bounds the date
from above (a waiver dated later than the commit that wrote it would stretch its 90 days). The
commit's committer date counts (GitHub sets it when it merges a pull request), in the
committer's time zone, the date the committer would have written. In a shallow clone blame
gives the oldest commit it has: a later date, still an upper bound. A line not committed yet
has no bound but today.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

_TIMEOUT_S = 60
_UNCOMMITTED = "0" * 40


@dataclass(frozen=True)
class LineOrigin:
    commit: str
    committed: dt.date


def line_origins(path: Path) -> dict[int, LineOrigin] | None:
    """Line number (1-based) -> the commit that last wrote it, for committed lines; None when
    the file is not in a git work tree (or git is missing, or fails)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(path.parent), "blame", "--porcelain", "--", path.name],
            capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return _parse_porcelain(done.stdout)


def _parse_porcelain(text: str) -> dict[int, LineOrigin]:
    """`git blame --porcelain`: a header `<sha> <orig> <final> [<count>]` per line, the
    commit's fields the first time it appears, then the line itself after a tab."""
    fields: dict[str, dict[str, str]] = {}
    lines: dict[int, str] = {}
    current = ""
    for row in text.splitlines():
        if row.startswith("\t"):
            continue
        head, _, rest = row.partition(" ")
        if len(head) == 40 and all(c in "0123456789abcdef" for c in head):
            current = head
            lines[int(rest.split()[1])] = current
            fields.setdefault(current, {})
        elif current:
            fields[current][head] = rest
    origins = {}
    for number, commit in lines.items():
        known = fields[commit]
        if commit == _UNCOMMITTED or "committer-time" not in known:
            continue
        origins[number] = LineOrigin(commit, _local_date(int(known["committer-time"]),
                                                         known.get("committer-tz", "+0000")))
    return origins


def _local_date(epoch: int, zone: str) -> dt.date:
    """The date at `epoch` in the `+hhmm`/`-hhmm` zone git recorded."""
    sign = -1 if zone.startswith("-") else 1
    offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
    return dt.datetime.fromtimestamp(epoch, dt.timezone(offset)).date()
