"""The HTML report opened in real headless Chromium: what it shows, how it prints, a screenshot.

A harness page loads the report in a frame and reads what Chromium rendered (text, computed
colours, sizes) into its own DOM, which --dump-dom returns; the report itself has no script.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chromium_probe import rendered

from evidence.helpers import Built
from evidence.quarter import MISSED_BACKUPS
from trustctl.evidence.browser import print_pdf, screenshot
from trustctl.evidence.html import render_html

RED = "rgb(176, 0, 32)"
PROBE = """{
    figures: Object.fromEntries([...doc.querySelectorAll('[data-figure]')].map(
      e => [e.dataset.figure, e.innerText.trim()])),
    gaps: [...doc.querySelectorAll('#gaps li')].map(
      e => ({text: e.innerText, color: style(e).color, shown: shown(e)})),
    missed: [...doc.querySelectorAll('td.day-missed')].map(
      e => ({date: e.dataset.date, background: style(e).backgroundColor, shown: shown(e)})),
    verdict: {text: doc.getElementById('verdict').innerText,
              color: style(doc.getElementById('verdict')).color},
    bars: [...doc.querySelectorAll('#drill-chart rect')].map(
      e => ({cls: e.getAttribute('class'), height: e.getBBox().height})),
    statuses: Object.fromEntries([...doc.querySelectorAll('[data-control]')].map(
      e => [e.dataset.control, e.innerText])),
    resources: win.performance.getEntriesByType('resource').length,
    signing: doc.getElementById('signing').innerText,
    signingTop: doc.getElementById('signing').getBoundingClientRect().top,
    environment: doc.getElementById('environment'),
  }"""


def _rendered(report: Path, tmp_path: Path) -> dict:
    return rendered(report, PROBE, tmp_path)


@pytest.mark.slow
def test_chromium_shows_the_figures_and_the_gaps_in_red(quarter: Built, tmp_path: Path) -> None:
    shown = _rendered(quarter.out / "report.html", tmp_path)
    assert shown["figures"]["verified"] == "12" and shown["figures"]["failed"] == "3"
    assert shown["figures"]["attested"] == "2" and shown["figures"]["gaps"] == "4"
    assert shown["figures"]["backup-days"] == "88/90"
    assert shown["verdict"] == {"text": "4 gap(s) in the period: see below.", "color": RED}
    assert len(shown["gaps"]) == 4
    assert all(g["color"] == RED and g["shown"] for g in shown["gaps"])
    assert "BACKUP-DAILY-35D: no complete backup on 2026-07-15" in shown["gaps"][0]["text"]
    assert [(m["date"], m["background"], m["shown"]) for m in shown["missed"]] == [
        (str(day), RED, True) for day in MISSED_BACKUPS]
    # the failing drill's RTO bar is red (missed), the passing one's green, both drawn
    assert [b["cls"] for b in shown["bars"]] == ["bar-met", "bar-missed", "bar-met", "bar-met"]
    assert all(b["height"] > 0 for b in shown["bars"])
    assert shown["statuses"]["CHANGE-CONTROL"] == "attested (not verified)"
    assert shown["resources"] == 0  # nothing fetched: the report is self-contained
    # the first screen says it is signed, by which key, and the key's fingerprint
    signing = quarter.report["signing"]
    assert shown["signing"].startswith(f"Signed (manifest.sig.json) with KMS key "
                                       f"{quarter.key_id}, public key fingerprint "
                                       f"{signing['fingerprint']}")
    assert 0 < shown["signingTop"] < 300 and shown["environment"] is None  # production


@pytest.mark.slow
def test_a_report_without_gaps_shows_no_red_banner(quarter: Built, tmp_path: Path) -> None:
    report = quarter.report  # the same quarter, had every gap been closed
    report["gaps"], report["summary"]["gaps"] = [], 0
    for control in report["controls"]:
        control["gaps"] = []
    for day in report["history"]["backups"]:
        day["complete"] = max(day["complete"], 1)
    page = tmp_path / "clean.html"
    page.write_text(render_html(report))
    shown = _rendered(page, tmp_path)
    assert shown["verdict"]["text"] == "No gap in the period."
    assert shown["verdict"]["color"] != RED and shown["gaps"] == [] and shown["missed"] == []


@pytest.mark.slow
def test_screenshot_and_print(quarter: Built, tmp_path: Path) -> None:
    png = screenshot(quarter.out / "report.html", tmp_path / "report.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    pdf = print_pdf(quarter.out / "report.html", tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 3, pages  # paginated, not one clipped page
