"""What changed since the last review: principals added, accesses removed, widened or reduced.

A row is (principal, resource, level). A principal absent from the last review is `added`; a
new resource for a principal it had, or a higher level on one, is `widened`; a row gone is
`removed`; a lower level is `reduced`. A principal that lost its last data store keeps a row
for the account at level `none` (it still has production access): that row is not a widening,
the removed row says what changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trustctl.access_review.inventory import level_rank


def since(previous: Iterable[dict[str, Any]] | None, current: Iterable[dict[str, Any]],
          label: str | None) -> dict[str, Any]:
    """The changes from `previous` rows (None: there was no review) to `current` rows."""
    if previous is None:
        return {"since": None, "added": [], "removed": [], "widened": [], "reduced": []}
    before = {row["id"]: row for row in previous}
    after = {row["id"]: row for row in current}
    principals_before = {row["principal"] for row in before.values()}
    added, widened, reduced = [], [], []
    for row_id in sorted(after):
        row, old = after[row_id], before.get(row_id)
        if old is None:
            if row["principal"] not in principals_before:
                added.append(f"{row_id} ({row['level']})")
            elif level_rank(row["level"]) > 0:
                widened.append(f"{row_id} ({row['level']})")
        elif level_rank(row["level"]) > level_rank(old["level"]):
            widened.append(f"{row_id} ({old['level']} -> {row['level']})")
        elif level_rank(row["level"]) < level_rank(old["level"]):
            reduced.append(f"{row_id} ({old['level']} -> {row['level']})")
    removed = [f"{row_id} ({before[row_id]['level']})" for row_id in sorted(before)
               if row_id not in after]
    return {"since": label, "added": added, "removed": removed, "widened": widened,
            "reduced": reduced}
