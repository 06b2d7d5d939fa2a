"""The top of the CLI: `trustctl controls`, `--version`, `-h` beside --help everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from trustctl.cli import app
from trustctl.paths import CATALOG_PATH
from trustctl.records.provenance import catalog_version, code_version


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_controls_json_lists_the_whole_catalog_with_how_each_is_proven() -> None:
    result = _run("controls", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = {c["id"]: c for c in json.loads(result.stdout)["controls"]}
    raw = {c["id"]: c for c in yaml.safe_load(CATALOG_PATH.read_text())["controls"]}
    assert list(listed) == list(raw)
    for control_id, control in raw.items():
        ver = control.get("verification") or {}
        assert listed[control_id]["promise"] == control["promise"]
        assert listed[control_id]["soc2"] == control["soc2"]
        assert listed[control_id]["verification"]["static"] == ver.get("static", [])
        assert listed[control_id]["verification"]["live"] == ver.get("live", [])
        assert listed[control_id]["verification"]["drill"] == bool(ver.get("drill"))
    assert listed["RESTORE-DRILL"]["verification"]["drill"] is True
    assert listed["INCIDENT-72H"]["verification"]["attested"] is True


def test_controls_text_has_one_block_per_control() -> None:
    result = _run("controls")
    assert result.exit_code == 0
    blocks = result.stdout.strip().split("\n\n")
    assert len(blocks) == len(yaml.safe_load(CATALOG_PATH.read_text())["controls"])
    tls = next(b for b in blocks if b.startswith("TLS-MIN "))
    assert "static CKV_TRUST_1" in tls and "SOC 2: CC6.1" in tls and "promise: " in tls
    drill = next(b for b in blocks if b.startswith("RESTORE-DRILL "))
    assert "proven by: " in drill and "drill" in drill.split("proven by: ")[1]


def test_controls_refuses_an_unknown_format() -> None:
    result = _run("controls", "--format", "yaml")
    assert result.exit_code == 2
    assert result.stderr == "trustctl: error: --format must be one of text, json\n"


def test_version_names_the_code_and_the_catalog() -> None:
    result = _run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"trustctl {code_version()} (control catalog {catalog_version()})\n"


@pytest.mark.parametrize("command", [[], ["gate"], ["controls"], ["sandbox", "up"],
                                     ["backup", "run"], ["access-review", "prepare"]])
def test_dash_h_is_help_everywhere(command: list[str]) -> None:
    short, long = _run(*command, "-h"), _run(*command, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout and "Usage: " in short.stdout
    assert "-h, --help" in short.stdout


def test_a_command_loads_only_its_own_flow() -> None:
    """`trustctl gate` starts on every pull request: the evidence report's OSCAL models and the
    database driver are not its to load; asking for `drill` loads the driver."""
    probe = ("import sys; from typer.testing import CliRunner; from trustctl.cli import app; "
             "CliRunner().invoke(app, sys.argv[1:]); "
             "print(sorted(m for m in ('trestle', 'psycopg') if m in sys.modules))")
    gate = subprocess.run([sys.executable, "-c", probe, "gate", "-h"],
                          capture_output=True, text=True, check=True)
    assert gate.stdout.strip() == "[]"
    drill = subprocess.run([sys.executable, "-c", probe, "drill", "-h"],
                           capture_output=True, text=True, check=True)
    assert drill.stdout.strip() == "['psycopg']"


def test_a_reader_that_leaves_early_ends_the_command_quietly() -> None:
    """`trustctl controls | head -1`: no traceback and no 'internal error', status 141."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        proc = subprocess.run([sys.executable, "-m", "trustctl.cli", "controls"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, check=False)
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (141, "")
