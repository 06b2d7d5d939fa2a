"""The Markdown summary a reviewer reads first."""

from __future__ import annotations

from trustctl.access_review.summary import markdown

ROW = {"principal": "aws:role/x", "resource": "s3:files", "level": "read",
       "via": ["inline a|b"], "last_used": None, "reads_in_period": 4, "roster": None,
       "flags": ["not-on-roster"]}


def document(**changes: object) -> dict:
    return {
        "review_id": "20261201T000000Z", "prepared_at": "2026-12-01T00:00:00+00:00",
        "period": {"start": "2026-09-01", "end": "2026-12-01"},
        "inputs": {"roster": {"path": "policies/oncall.yaml"}},
        "sources": {"aws": "read", "database": "error (see errors)"},
        "errors": [{"source": "database", "what": "roles", "message": "refused"}],
        "findings": [{"check": "not-on-roster", "control": "STAFF-ACCESS",
                      "message": "aws:role/x is not on the roster"}],
        "changes": {"since": "review 1", "added": [], "removed": [], "widened": [],
                    "reduced": [], **changes},
        "reads": [{"principal": "aws:role/x", "reads": 4, "objects": 2, "denied": 1,
                   "buckets": {"files": 4}, "sessions": ["alice"], "last": "2026-11-30"}],
        "rows": [ROW],
    }


def test_the_summary_shows_what_is_missing_wrong_changed_and_read():
    text = markdown(document(added=["aws:role/x -> s3:files (read)"]))
    assert "## Could not be read (the review is incomplete)" in text
    assert "- **database**: roles: refused" in text
    assert "- `not-on-roster` (STAFF-ACCESS): aws:role/x is not on the roster" in text
    assert "- added: aws:role/x -> s3:files (read)" in text
    assert "| aws:role/x | 4 | 2 | 1 | files (4) | alice | 2026-11-30 |" in text
    assert ("| aws:role/x | s3:files | read | inline a\\|b | never / not exposed | 4 | "
            "NOT ON ROSTER | not-on-roster |") in text


def test_no_change_is_said():
    assert "No change." in markdown(document())
