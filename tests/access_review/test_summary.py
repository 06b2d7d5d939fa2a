"""The summary a reviewer reads first: Markdown for the pull request, HTML in a browser
(checked in real headless Chromium)."""

from __future__ import annotations

import pytest
from chromium_probe import rendered

from trustctl.access_review.summary import html, markdown

ROW = {"principal": "aws:role/x", "resource": "s3:files", "level": "read",
       "via": ["inline a|b"], "last_used": None, "reads_in_period": 4, "roster": None,
       "flags": ["not-on-roster"]}


def document(rows: list[dict] | None = None, **changes: object) -> dict:
    rows = rows or [ROW]
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
        "rows": rows,
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


PROBE = """{
    title: doc.title,
    figures: Object.fromEntries([...doc.querySelectorAll('[data-figure]')].map(
      e => [e.dataset.figure, {count: e.querySelector('b').innerText,
                               color: style(e.querySelector('b')).color}])),
    findings: [...doc.querySelectorAll('#findings li')].map(
      e => ({text: e.innerText, color: style(e).color, shown: shown(e)})),
    errors: [...doc.querySelectorAll('#errors li')].map(e => e.innerText),
    rows: [...doc.querySelectorAll('#accesses tbody tr')].map(
      e => ({cells: [...e.cells].map(c => c.innerText), color: style(e.cells[0]).color})),
    headings: [...doc.querySelectorAll('h2')].map(e => e.innerText),
    resources: win.performance.getEntriesByType('resource').length,
  }"""
RED, BLACK = "rgb(176, 0, 32)", "rgb(17, 17, 17)"


@pytest.mark.slow
def test_chromium_shows_the_html_summary_with_what_needs_a_decision_in_red(tmp_path):
    kept = {**ROW, "principal": "aws:role/oncall-alice", "roster": "Alice (person)",
            "flags": [], "via": ["policy <b>read</b>"]}
    page = tmp_path / "review.html"
    page.write_text(html(document(rows=[ROW, kept], added=["aws:role/x -> s3:files (read)"])))
    shown = rendered(page, PROBE, tmp_path)
    assert shown["title"] == "Access review 20261201T000000Z"
    assert {k: v["count"] for k, v in shown["figures"].items()} == {
        "accesses": "2", "changes": "1", "findings": "1", "not read": "1", "not on roster": "1"}
    assert shown["figures"]["findings"]["color"] == RED
    assert shown["figures"]["accesses"]["color"] != RED
    assert shown["findings"] == [{"text": "not-on-roster (STAFF-ACCESS): aws:role/x is not on "
                                          "the roster", "color": RED, "shown": True}]
    assert shown["errors"] == ["database: roles: refused"]
    flagged, fine = shown["rows"]
    assert flagged["cells"][6:] == ["NOT ON ROSTER", "not-on-roster"]
    assert (flagged["color"], fine["color"]) == (RED, BLACK)
    assert fine["cells"][3] == "policy <b>read</b>"  # text, escaped, never markup
    assert shown["headings"][:3] == ["Sources", "Could not be read (the review is incomplete)",
                                     "Findings (1)"]
    assert shown["resources"] == 0  # self-contained: nothing fetched
