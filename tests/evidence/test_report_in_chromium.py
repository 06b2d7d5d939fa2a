"""The HTML report opened in real headless Chromium: what it shows, how it prints, a screenshot.

A harness page loads the report in a frame and reads what Chromium rendered (text, computed
colours, sizes) into its own DOM, which --dump-dom returns; the report itself has no script.
"""

from __future__ import annotations

import datetime as dt
import itertools
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
    marks: [...doc.querySelectorAll('#drill-chart [class^=point]')].map(
      e => ({cls: e.getAttribute('class'), x: e.getBBox().x, shown: shown(e)})),
    ticks: [...doc.querySelectorAll('#drill-chart text')].map(e => e.textContent),
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
    # one mark per drill and measure, at its date: the failing drill's RTO red (missed)
    assert [m["cls"] for m in shown["marks"]] == [
        "point-met point-rpo", "point-missed point-rto", "point-met point-rpo",
        "point-met point-rto"]
    assert all(m["shown"] for m in shown["marks"])
    assert shown["marks"][2]["x"] > shown["marks"][0]["x"] + 200  # 46 days later
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


@pytest.mark.slow
def test_a_quarter_of_weekly_drills_stays_readable(quarter: Built, tmp_path: Path) -> None:
    """13 weekly drills: one mark each on a date axis, none on another; numbers in the table."""
    report = quarter.report
    start = dt.date.fromisoformat(report["period"]["from"])
    report["history"]["drills"] = [
        {"record": f"drill-{i}.json", "time": f"{start + dt.timedelta(days=7 * i)}T10:00:00",
         "status": "pass", "rpo_hours": 6.0 + i, "rto_hours": 1.0 + i / 4,
         "rpo_objective_hours": 24.0, "rto_objective_hours": 4.0} for i in range(13)]
    page = tmp_path / "weekly.html"
    page.write_text(render_html(report))
    shown = _rendered(page, tmp_path)
    rto = [m["x"] for m in shown["marks"] if m["cls"].endswith("point-rto")]
    assert len(rto) == 13 and all(m["shown"] for m in shown["marks"])
    assert all(b - a > 20 for a, b in itertools.pairwise(rto))  # apart, in date order
    assert {"01 Jul", "01 Aug", "01 Sep"} <= set(shown["ticks"])
    one_day = render_html({**report, "period": {**report["period"], "days": 1}})
    assert "(1 day). Generated" in one_day and "(1 days)" not in one_day
