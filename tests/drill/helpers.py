"""Running the real CLI in-process and checking what a drill leaves behind."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
from backup.fixtures import SecretSpy, Source
from typer.testing import CliRunner

from trustctl.archive.location import Location
from trustctl.cli import app

REASON_PREFIXES = ("trustctl: drill fail:", "trustctl: drill error:",
                   "trustctl: drill interrupted:", "trustctl: error:")


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    record: dict | None
    scratch_parent: Path | None = None


def location_args(where: Location) -> list[str]:
    return ["--bucket", where.bucket, "--region", where.target.region,
            "--endpoint-url", where.target.endpoint_url, "--prefix", where.prefix]


def run_drill_cli(where: Location, evidence: Path, *extra: str,
                  env: dict[str, str] | None = None) -> CliResult:
    """The drill through the CLI, its embedded scratch server under `<evidence>-scratch`."""
    scratch_parent = evidence.with_name(evidence.name + "-scratch")
    scratch_parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(
        app, ["drill", *location_args(where), "--evidence-dir", str(evidence),
              "--scratch-dir", str(scratch_parent), "--format", "json", *extra], env=env)
    records = sorted(evidence.glob("drill-*.json"))
    stored = json.loads(records[-1].read_text()) if records else None
    record = {**stored["facts"], "controls": stored["controls"]} if stored else None
    return CliResult(result.exit_code, result.stdout, result.stderr, record, scratch_parent)


def assert_clean(result: CliResult, spy: SecretSpy) -> None:
    """No secret anywhere, a one-line reason on stderr, no scratch server or directory left."""
    record = result.record or {}
    if record.get("backup"):
        assert spy.data_keys, "the backup's data key was not captured: the check is vacuous"
    if (record.get("scratch") or {}).get("kind") == "embedded":
        assert spy.scratch_passwords, "the scratch password was not captured"
    spy.assert_absent(result.stdout, result.stderr, json.dumps(result.record))
    if result.code:
        assert_one_line_reason(result.stderr)
    scratch = record.get("scratch")
    if scratch and scratch.get("data_dir"):
        assert_no_server_left(Path(scratch["data_dir"]))
    if result.scratch_parent is not None:
        assert not list(result.scratch_parent.iterdir())
        assert_no_process_under(result.scratch_parent)


def assert_one_line_reason(stderr: str) -> None:
    reasons = [line for line in stderr.splitlines() if line.startswith(REASON_PREFIXES)]
    assert len(reasons) == 1, stderr
    assert "Traceback" not in stderr


def assert_no_server_left(data_dir: Path) -> None:
    assert not data_dir.exists() and not data_dir.parent.exists()
    assert_no_process_under(data_dir)


def assert_no_process_under(path: Path) -> None:
    for process in psutil.process_iter(["cmdline"]):
        assert str(path) not in " ".join(process.info["cmdline"] or []), process


@contextmanager
def altered(source: Source, change: str, undo: str):
    """Changes the source database for one test and puts it back whatever happens."""
    with psycopg.connect(source.dsn, autocommit=True) as conn:
        conn.execute(change)
    try:
        yield
    finally:
        with psycopg.connect(source.dsn, autocommit=True) as conn:
            conn.execute(undo)
