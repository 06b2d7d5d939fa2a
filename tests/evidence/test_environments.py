"""Issue 21: a production report rests on production records only, and says what it left out.

Records carry their provenance (written by the store): the sandbox's records never make a
production control verified, a gate over anything but the estate's program and stack never
counts, and a sandbox report says so on every page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from chromium_probe import rendered

from evidence.helpers import build
from evidence.quarter import END, at, drill, gate, write_quarter
from trustctl.environment import Environment
from trustctl.records import Record, open_store

SANDBOX = Environment("sandbox", "default")


def _fixture_gate(day: dt.date) -> Record:
    """A gate run over a test fixture's program: not the estate."""
    record = gate(day)
    return Record.new(record.facts, at(day, 11), at(day, 11),
                      record_id=f"{day:%Y%m%d}T110000Z-g",
                      targets=record.targets, controls=record.controls,
                      provenance={"gate": {"input": "program", "paths": ["tests/fixtures/x"],
                                           "stack": "test"}})


def _pack_gate(day: dt.date, stack: str, project: str = "trustctl") -> Record:
    """The policy pack's record of a `pulumi up` on `project`/`stack` (issue 26); the estate is
    this repository's program, project trustctl."""
    record = gate(day)
    return Record.new(record.facts, at(day, 12), at(day, 12),
                      record_id=f"{day:%Y%m%d}T120000Z-p",
                      targets=record.targets, controls=record.controls,
                      provenance={"gate": {"input": "policy-pack", "stack": stack,
                                           "project": project, "operation": "update"}})


def test_a_mixed_directory_builds_production_from_production_only(tmp_path: Path) -> None:
    def mix() -> None:
        records = tmp_path / "records"
        open_store(records, SANDBOX).write(drill(END - dt.timedelta(days=1), rto_hours=0.1))
        open_store(records).write(_fixture_gate(END - dt.timedelta(days=2)))
        open_store(records).write(_pack_gate(END - dt.timedelta(days=3), "prod"))
        open_store(records).write(_pack_gate(END - dt.timedelta(days=4), "dev"))
        open_store(records).write(_pack_gate(END - dt.timedelta(days=5), "prod", "other-app"))

    built = build(tmp_path, tamper=mix)
    left = {o["record"]: o["why"] for o in built.report["left_out"]}
    sandbox_drill = f"drill-{END - dt.timedelta(days=1):%Y%m%d}T100000Z-d.json"
    fixture_gate = f"gate-{END - dt.timedelta(days=2):%Y%m%d}T110000Z-g.json"
    assert left == {
        sandbox_drill: "from the sandbox environment, not production",
        fixture_gate: "a gate over program tests/fixtures/x (stack test), not the estate's "
                      "program . (stack prod)",
        f"gate-{END - dt.timedelta(days=4):%Y%m%d}T120000Z-p.json":
            "a policy-pack run on trustctl/dev, not the estate's trustctl/prod",
        f"gate-{END - dt.timedelta(days=5):%Y%m%d}T120000Z-p.json":
            "a policy-pack run on other-app/prod, not the estate's trustctl/prod"}
    assert built.report["summary"]["record_problems"] == 0
    assert built.report["summary"]["records"] == 119  # the production quarter + the pack's up
    assert sandbox_drill not in {e["record"] for e in built.control("RESTORE-DRILL")["evidence"]}
    assert (f"  LEFT OUT {sandbox_drill}: from the sandbox environment, not production"
            in built.stdout)


def test_sandbox_records_never_verify_production(tmp_path: Path) -> None:
    built = build(tmp_path, tamper=lambda: write_quarter(
        open_store(tmp_path / "records", SANDBOX)), empty=True)
    assert built.report["environment"] == "production"
    assert built.report["summary"]["verified"] == 0
    assert built.report["summary"]["records"] == 0
    assert built.report["summary"]["left_out"] == 118
    assert {c["status"] for c in built.report["controls"]} <= {"failed", "attested",
                                                               "not_checked"}


@pytest.mark.slow
def test_a_sandbox_report_says_so_on_every_page(tmp_path: Path) -> None:
    built = build(tmp_path, "--environment", "sandbox", empty=True,
                  tamper=lambda: write_quarter(open_store(tmp_path / "records", SANDBOX)))
    assert built.report["environment"] == "sandbox" and built.report["summary"]["verified"] > 0
    shown = rendered(built.out / "report.html", """{
        banner: doc.getElementById('environment').innerText,
        position: style(doc.getElementById('environment')).position,
        signing: doc.getElementById('signing').innerText,
      }""", tmp_path)
    assert shown["banner"].startswith("NOT PRODUCTION: built from sandbox records")
    assert shown["position"] == "fixed"  # repeated on every printed page
    assert shown["signing"].startswith("NOT SIGNED")
