"""A finding is never hidden behind "could not run": exit 1 whatever else errored."""

from __future__ import annotations

from pathlib import Path

import pytest
from backup.fixtures import Source, take_backup

from drill.helpers import SecretSpy, altered, assert_clean, run_drill_cli
from trustctl.archive.location import Location
from trustctl.report.results import ControlResult, Status, exit_code


@pytest.mark.parametrize(("statuses", "code"), [
    ([], 0),
    ([Status.PASS, Status.NOT_APPLICABLE, Status.ATTESTED], 0),
    ([Status.PASS, Status.ERROR], 2),
    ([Status.PASS, Status.FAIL], 1),
    ([Status.ERROR, Status.FAIL], 1),
    ([Status.FAIL, Status.ERROR, Status.PASS], 1),
])
def test_exit_code_puts_findings_first(statuses: list[Status], code: int) -> None:
    assert exit_code([ControlResult(f"C{i}", s) for i, s in enumerate(statuses)]) == code


def test_failed_rls_beside_an_errored_probe_exits_1(
        spy: SecretSpy, source: Source, locked_location: Location, tmp_path: Path) -> None:
    with altered(source, "ALTER TABLE invoices DISABLE ROW LEVEL SECURITY",
                 "ALTER TABLE invoices ENABLE ROW LEVEL SECURITY"):
        take_backup(source, locked_location)
    result = run_drill_cli(locked_location, tmp_path, "--app-role", "no_such_role")
    assert result.code == 1, result.stderr
    steps = {s["name"]: s for s in result.record["steps"]}
    assert steps["verify-rls"]["status"] == "fail"
    assert steps["verify-isolation"]["status"] == "error"
    assert "no_such_role" in steps["verify-isolation"]["detail"]  # an error says why
    isolation = next(c for c in result.record["controls"] if c["id"] == "TENANT-ISOLATION")
    assert isolation["status"] == "fail"
    messages = [f["message"] for f in isolation["findings"]]
    assert any("public.invoices" in m and "disabled" in m for m in messages)
    assert any("no_such_role" in m for m in messages)  # the error stands beside the finding
    assert "public.invoices" in result.stderr and "no_such_role" in result.stderr
    assert_clean(result, spy)
