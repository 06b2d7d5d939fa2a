"""Running the real CLI in-process and checking what a drill leaves behind."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
from backup.fixtures import Source
from typer.testing import CliRunner

from trustctl.backup.settings import Location
from trustctl.cli import app


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    record: dict | None


def location_args(where: Location) -> list[str]:
    return ["--bucket", where.bucket, "--region", where.target.region,
            "--endpoint-url", where.target.endpoint_url, "--prefix", where.prefix]


def run_drill_cli(where: Location, evidence: Path, *extra: str,
                  env: dict[str, str] | None = None) -> CliResult:
    result = CliRunner().invoke(
        app, ["drill", *location_args(where), "--evidence-dir", str(evidence),
              "--format", "json", *extra], env=env)
    records = sorted(evidence.glob("drill-*.json"))
    record = json.loads(records[-1].read_text()) if records else None
    return CliResult(result.exit_code, result.stdout, result.stderr, record)


def assert_clean(result: CliResult, source: Source) -> None:
    """No secret anywhere, a one-line reason on stderr, no scratch server or directory left."""
    secrets = (source.pg.state()["password"], source.app_password)
    everything = result.stdout + result.stderr + json.dumps(result.record)
    assert not any(secret in everything for secret in secrets)
    if result.code:
        reasons = [line for line in result.stderr.splitlines()
                   if line.startswith(("trustctl: drill fail:", "trustctl: drill error:",
                                       "trustctl: error:"))]
        assert len(reasons) == 1, result.stderr
    scratch = (result.record or {}).get("scratch")
    if scratch and scratch.get("data_dir"):
        assert_no_server_left(Path(scratch["data_dir"]))


def assert_no_server_left(data_dir: Path) -> None:
    assert not data_dir.exists() and not data_dir.parent.exists()
    for process in psutil.process_iter(["cmdline"]):
        assert str(data_dir) not in " ".join(process.info["cmdline"] or []), process


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
