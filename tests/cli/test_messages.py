"""What a user sees when something is off: one `trustctl:` line for a mistyped flag (with the
closest one), the JSON contract on stdout when `--format json` could not run."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trustctl.cli import app


def test_a_mistyped_flag_is_one_line_with_the_closest_flag() -> None:
    result = CliRunner().invoke(app, ["drill", "--bukcet", "claver-backups"])
    print(f"CASE drill --bukcet: exit {result.exit_code}; {result.stderr.splitlines()[:1]}")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "trustctl: error: `trustctl drill`: No such option: --bukcet (Possible options: "
        "--bucket); see `trustctl drill -h`"]
    assert "Usage:" not in result.output


def test_a_bad_value_is_one_line_too() -> None:
    result = CliRunner().invoke(app, ["backup", "run", "--jobs", "many"])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("trustctl: error: `trustctl backup run`: Invalid value for '--jobs'")


def test_could_not_run_with_format_json_prints_the_contract() -> None:
    result = CliRunner().invoke(
        app, ["backup", "run", "--bucket", "b", "--region", "eu-west-2", "--kms-key", "k",
              "--format", "json"], env={"TRUSTCTL_BACKUP_DSN": ""})
    print(f"CASE backup run --format json without a DSN: exit {result.exit_code}; "
          f"stdout {result.stdout[:40]!r}")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["controls"] == [] and document["status"] == "error"
    assert document["exit_code"] == 2 and "TRUSTCTL_BACKUP_DSN" in document["error"]
    [line] = result.stderr.splitlines()
    assert line == f"trustctl: error: {document['error']}"


def test_could_not_run_in_text_keeps_stdout_empty() -> None:
    result = CliRunner().invoke(
        app, ["backup", "run", "--bucket", "b", "--region", "eu-west-2", "--kms-key", "k"],
        env={"TRUSTCTL_BACKUP_DSN": ""})
    assert result.exit_code == 2 and result.stdout == ""
