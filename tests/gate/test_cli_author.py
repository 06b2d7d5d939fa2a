"""What a pull-request author sees from `trustctl gate`: several reports from one run, the project
of the current directory by default, a bad exceptions file refused before planning, progress
and a one-line summary on stderr."""

from __future__ import annotations

import io
import json
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gate_support import FIXTURES, PROGRAM
from rich.console import Console
from typer.testing import CliRunner

from trustctl.cli import app
from trustctl.paths import REPO_ROOT
from trustctl.progress import Steps

WORKFLOWS = REPO_ROOT / ".github" / "workflows"  # they schedule the backup and the drill
STATE = str(FIXTURES / "stack-export-data-stores.json")
BAD_EXPIRY = """exceptions:
  - control: WAF
    resource: waf
    reason: managed rules rolled out next sprint
    owner: edge@claver.example
    added: 2026-11-01
    expires: 2027-01-01
  - control: NO-PUBLIC-DB
    resource: reporting-db
    reason: read replica behind an allow-listed NAT
    owner: data@claver.example
    added: 2026-11-01
    expires: 2027-31-30
"""


def _gate(*args: str):
    return CliRunner().invoke(app, ["gate", *args])


def test_one_run_writes_every_report_asked_for_and_the_text_on_stdout(tmp_path: Path) -> None:
    sarif, report, junit = tmp_path / "gate.sarif", tmp_path / "gate.json", tmp_path / "g.xml"
    result = _gate("--state", STATE, "--output", f"sarif={sarif}", "--output", f"json={report}",
                   "--output", f"junit={junit}", "--evidence-dir", str(tmp_path / "ev"))
    assert result.exit_code == 1
    statuses = {c["id"]: c["status"] for c in json.loads(report.read_text())["controls"]}
    assert json.loads(sarif.read_text())["runs"][0]["properties"]["controls"] == statuses
    assert ET.parse(junit).getroot().get("failures") == str(
        sum(s == "fail" for s in statuses.values()))
    assert result.stdout.startswith("trustctl gate: state ")  # the text report, for the log
    assert "NO-PUBLIC-DB" in result.stdout
    failed = sum(s == "fail" for s in statuses.values())
    passed = sum(s == "pass" for s in statuses.values())
    assert result.stderr.splitlines()[-1] == (
        f"trustctl: gate: {failed} failed · {passed} passed · "
        f"{sum(s == 'not_applicable' for s in statuses.values())} not checked by the gate")


def test_a_plain_output_path_takes_the_format_off_stdout(tmp_path: Path) -> None:
    out = tmp_path / "gate.json"
    result = _gate("--state", STATE, "--format", "json", "--output", str(out),
                   "--evidence-dir", str(tmp_path / "ev"))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["exit_code"] == 1


@pytest.mark.parametrize(("name", "parse"), [
    ("gate.sarif", lambda text: json.loads(text)["runs"][0]["tool"]["driver"]["name"]),
    ("gate.json", lambda text: json.loads(text)["exit_code"]),
    ("gate.xml", lambda text: ET.fromstring(text).tag),
])
def test_a_plain_output_path_writes_the_format_its_extension_names(
        tmp_path: Path, name: str, parse) -> None:
    out = tmp_path / name
    result = _gate("--state", STATE, "-o", str(out), "--evidence-dir", str(tmp_path / "ev"))
    assert result.exit_code == 1 and result.stdout == ""
    assert parse(out.read_text()) in ("trustctl gate", 1, "testsuites", "testsuite")


@pytest.mark.parametrize(("args", "reason"), [
    (["--format", "json", "--output", "gate.sarif"],
     "--output gate.sarif: a .sarif file cannot hold --format json; write json=gate.sarif to "
     "force it"),
    (["--format", "yaml"], "--format 'yaml': not a report format (text, json, sarif, junit)"),
    (["--output", "sarif="], "--output sarif=: no path after `=`"),
    (["--output", "a.json", "--output", "json=a.json"], "--output a.json: given more than once"),
])
def test_bad_report_options_exit_2_before_any_work(args: list[str], reason: str) -> None:
    result = _gate("--state", STATE, *args)
    assert result.exit_code == 2
    assert result.stderr == f"trustctl: error: {reason}\n"


def test_table_is_still_accepted_for_text(tmp_path: Path) -> None:
    runs = [_gate("--state", STATE, "--format", word, "--evidence-dir", str(tmp_path / word))
            for word in ("text", "table")]
    assert [r.exit_code for r in runs] == [1, 1]
    assert runs[0].stdout == runs[1].stdout and "CONTROL" in runs[0].stdout


def test_a_bad_exceptions_file_is_refused_with_file_line_and_entry_before_planning(
        tmp_path: Path) -> None:
    exceptions = tmp_path / "exceptions.yaml"
    exceptions.write_text(BAD_EXPIRY)
    began = time.monotonic()
    result = _gate("--program", str(PROGRAM), "--stack", "test", "--exceptions", str(exceptions))
    assert result.exit_code == 2
    assert result.stderr == (f"trustctl: error: {exceptions}:13: exception 2 (NO-PUBLIC-DB on "
                             "reporting-db): expires '2027-31-30' is not a YYYY-MM-DD date\n")
    assert time.monotonic() - began < 5  # nothing was planned, checkov never ran


def test_an_exception_for_a_check_no_control_lists_is_refused_before_planning(
        tmp_path: Path) -> None:
    exceptions = tmp_path / "exceptions.yaml"
    exceptions.write_text("exceptions:\n  - check: CKV_AWS_18\n    resource: logs\n"
                          "    reason: r\n    owner: o\n    added: 2026-11-01\n"
                          "    expires: 2027-01-01\n")
    result = _gate("--program", str(PROGRAM), "--stack", "test", "--exceptions", str(exceptions))
    assert result.exit_code == 2
    assert result.stderr == (f"trustctl: error: {exceptions}:2: exception 1 (CKV_AWS_18 on logs): "
                             "names check CKV_AWS_18, which no control lists (advisories need no "
                             "exception)\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Pulumi project of its own (the gate's compliant test program) with a subdirectory."""
    root = tmp_path / "edge-team"
    shutil.copytree(PROGRAM, root)
    (root / "docs").mkdir()
    return root


def test_without_program_the_project_holding_the_current_directory_is_checked(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "docs")
    result = _gate("--stack", "test", "--format", "json", "--evidence-dir",
                   str(project / "evidence"), "--workflows", str(WORKFLOWS))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["origin"] == f"program {project} (stack test)"


def test_without_exceptions_the_projects_own_file_is_read(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "policies").mkdir()
    (project / "policies" / "exceptions.yaml").write_text(BAD_EXPIRY)
    monkeypatch.chdir(project / "docs")
    result = _gate("--stack", "test")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"trustctl: error: {project / 'policies' / 'exceptions.yaml'}:13: exception 2")


def test_outside_any_project_the_gate_says_what_to_give(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _gate()
    assert result.exit_code == 2
    assert result.stderr.startswith(f"trustctl: error: no Pulumi.yaml in {tmp_path} or any "
                                    "parent directory")


def test_steps_are_plain_lines_in_a_log() -> None:
    log = io.StringIO()
    with Steps("gate", Console(file=log, force_terminal=False)) as steps:
        steps.step("planning infra (stack prod) offline")
        steps.step("running checkov on 12 resources")
    assert log.getvalue() == ("trustctl: gate: planning infra (stack prod) offline\n"
                              "trustctl: gate: running checkov on 12 resources\n")


def test_steps_on_a_terminal_spin_and_keep_each_finished_step_with_its_time() -> None:
    screen = io.StringIO()
    with Steps("gate", Console(file=screen, force_terminal=True, width=100)) as steps:
        steps.step("planning infra (stack prod) offline")
        time.sleep(0.3)
        steps.step("running checkov on 12 resources")
    shown = screen.getvalue()
    assert "✓" in shown and "\x1b[?25l" in shown  # a finished step; the cursor hidden to spin
    finished = [line for line in shown.split("\n") if "✓" in line]
    assert len(finished) == 2
    assert "planning infra (stack prod) offline" in finished[0]
    assert float(finished[0].rsplit("(", 1)[1].split(" s")[0]) >= 0.3


def test_a_step_that_fails_gets_no_tick_on_a_terminal() -> None:
    screen = io.StringIO()
    with pytest.raises(RuntimeError), \
            Steps("gate", Console(file=screen, force_terminal=True, width=100)) as steps:
        steps.step("planning infra (stack prod) offline")
        raise RuntimeError("the program raised")
    shown = screen.getvalue()
    assert "✗" in shown and "✓" not in shown
