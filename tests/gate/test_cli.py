"""`trustctl gate` end to end: exit codes, one-line reasons, --output, unknown types."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from gate_support import FIXTURES, GATE_TESTS, PROGRAM
from typer.testing import CliRunner

from trustctl.cli import app

SCHEMA = json.loads((GATE_TESTS / "schemas" / "sarif-schema-2.1.0.json").read_text())


def _gate(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["gate", *args], env=env)


def _not_progress(stderr: str) -> list[str]:
    """stderr without the gate's progress lines (`trustctl: gate: ...`)."""
    return [line for line in stderr.splitlines() if not line.startswith("trustctl: gate: ")]


def test_compliant_program_exits_0_and_writes_valid_sarif(tmp_path: Path) -> None:
    out = tmp_path / "gate.sarif"
    result = _gate("--program", str(PROGRAM), "--stack", "test", "--format", "sarif",
                   "--output", str(out), "--evidence-dir", str(tmp_path / "evidence"))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert set(doc["runs"][0]["properties"]["controls"].values()) <= {"pass", "not_applicable"}
    [record] = (tmp_path / "evidence").glob("gate-*.json")  # every run leaves its record
    stored = json.loads(record.read_text())
    assert stored["kind"] == "gate" and stored["targets"]["stack"] == "test"
    assert {c["id"]: c["status"] for c in stored["controls"]} == doc["runs"][0]["properties"][
        "controls"]
    backup_key = "urn:pulumi:test::gate-compliant::aws:kms/key:Key::backup-key"
    assert stored["facts"]["roles"][backup_key] == {  # and how each role was decided
        "tag": "trustctl:purpose", "value": "backup", "decided": "tag", "reason": ""}


def test_unknown_resource_types_are_listed_with_why_and_never_hide_a_failure() -> None:
    result = _gate("--state", str(FIXTURES / "unknown-type.json"), "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1  # nothing required is declared: controls fail
    assert report["unchecked"] == [{
        "urn": "urn:pulumi:dev::shop::gcp:sql/databaseInstance:DatabaseInstance::orders",
        "type": "gcp:sql/databaseInstance:DatabaseInstance", "name": "orders",
        "reason": "Google Cloud: stores data (Cloud SQL, GCS, BigQuery) and opens network paths",
        "fails_closed": True}]
    [warning] = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning.startswith("trustctl: warning: 1 resource(s) could not be checked: "
                              "gcp:sql/databaseInstance:DatabaseInstance (Google Cloud")


@pytest.mark.parametrize(("content", "reason"), [
    ("{not json", "not JSON"),
    ('{"steps": {"op": "create"}}', "no `steps` list"),
])
def test_garbage_preview_exits_2_with_one_line(tmp_path: Path, content: str,
                                               reason: str) -> None:
    path = tmp_path / "preview.json"
    path.write_text(content)
    result = _gate("--preview", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and reason in result.stderr


GARBAGE = {
    "empty": (b"", "not JSON"),
    "a list": (b"[]", "output ("),
    "steps not a list": (b'{"steps": 5}', "output ("),
    "binary": (bytes(range(256)), "not JSON"),
}


@pytest.mark.parametrize("flag", ["--preview", "--state"])
@pytest.mark.parametrize("kind", [*GARBAGE, "a directory", "a missing path"])
def test_unreadable_input_exits_2_with_one_line(tmp_path: Path, flag: str, kind: str) -> None:
    path = tmp_path / "input.json"
    if kind == "a directory":
        path.mkdir()
    elif kind != "a missing path":
        path.write_bytes(GARBAGE[kind][0])
    result = _gate(flag, str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("trustctl: error: ")
    assert GARBAGE.get(kind, ("", "cannot read"))[1] in result.stderr


def test_unwritable_output_exits_2_with_one_line(tmp_path: Path) -> None:
    result = _gate("--state", str(FIXTURES / "stack-export-data-stores.json"),
                   "--output", str(tmp_path))
    assert result.exit_code == 2
    [line] = _not_progress(result.stderr)
    assert line.startswith("trustctl: error: --output") and "cannot write" in line


def test_a_program_that_raises_exits_2_with_one_line() -> None:
    result = _gate("--program", str(PROGRAM.parent / "raises"), "--stack", "test")
    assert result.exit_code == 2
    [line] = _not_progress(result.stderr)
    assert "RuntimeError: database password missing from config" in line


def test_a_missing_input_among_several_exits_2_naming_it() -> None:
    result = _gate("--preview", "a.json", "--state", "b.json")
    assert result.exit_code == 2 and result.stderr.startswith("trustctl: ")
    assert "--preview a.json: cannot read" in result.stderr


def test_missing_checkov_exits_2(tmp_path: Path) -> None:
    result = _gate("--state", str(FIXTURES / "stack-export-data-stores.json"),
                   env={"TRUSTCTL_CHECKOV_VENV": str(tmp_path / "nowhere")})
    assert result.exit_code == 2
    assert "checkov not found" in result.stderr


def test_removing_the_drill_schedule_fails_restore_drill_at_pull_request_time(
        tmp_path: Path) -> None:
    # a repository of its own: the gate also judges the folder holding .github/workflows (zizmor
    # over it), which must hold nothing but these files
    workflows = tmp_path / "repository" / ".github" / "workflows"
    workflows.mkdir(parents=True)
    source = GATE_TESTS.parents[1] / ".github" / "workflows"
    for path in source.glob("*.yml"):
        if path.name != "drill-quarterly.yml":
            (workflows / path.name).write_text(path.read_text())
    result = _gate("--program", str(PROGRAM), "--stack", "test", "--workflows", str(workflows),
                   "--format", "json")
    assert result.exit_code == 1, result.output
    controls = {c["id"]: c for c in json.loads(result.stdout)["controls"]}
    assert controls["BACKUP-DAILY-35D"]["status"] == "pass"
    drill = controls["RESTORE-DRILL"]
    assert drill["status"] == "fail"
    assert [f["message"] for f in drill["findings"]] == [
        f"no workflow job runs `trustctl drill` ({workflows})"]
