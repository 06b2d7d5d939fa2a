"""What changed since the last review."""

from __future__ import annotations

from trustctl.access_review.changes import since


def rows(*items: tuple[str, str, str]) -> list[dict]:
    return [{"id": f"{p} -> {r}", "principal": p, "resource": r, "level": lvl}
            for p, r, lvl in items]


def test_added_removed_widened_reduced():
    before = rows(("a", "s3:x", "read"), ("b", "s3:x", "write"), ("c", "s3:x", "read"),
                  ("gone", "s3:x", "read"))
    after = rows(("a", "s3:x", "admin"), ("b", "s3:x", "read"), ("c", "s3:x", "read"),
                 ("c", "s3:y", "read"), ("new", "s3:x", "list"))
    assert since(before, after, "review 1") == {
        "since": "review 1",
        "added": ["new -> s3:x (list)"],
        "removed": ["gone -> s3:x (read)"],
        "widened": ["a -> s3:x (read -> admin)", "c -> s3:y (read)"],
        "reduced": ["b -> s3:x (write -> read)"],
    }


def test_nothing_changed_and_no_previous_review():
    same = rows(("a", "s3:x", "read"))
    assert since(same, same, "r") == {"since": "r", "added": [], "removed": [], "widened": [],
                                      "reduced": []}
    assert since(None, same, None)["since"] is None


def test_a_principal_left_with_no_data_store_is_not_widened():
    before = rows(("alice", "postgres:claver/public", "read"))
    after = rows(("alice", "postgres:claver", "none"))
    assert since(before, after, "r") == {
        "since": "r", "added": [], "removed": ["alice -> postgres:claver/public (read)"],
        "widened": [], "reduced": []}
