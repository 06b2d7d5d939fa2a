"""Where a drill restores: a scratch server by DSN, and the sandbox end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from backup.fixtures import Source, take_backup

from drill.helpers import SecretSpy, assert_clean, run_drill_cli
from trustctl.archive.location import Location
from trustctl.paths import HOME_ENV
from trustctl.pg.server import LocalPostgres
from trustctl.sandbox import down


def test_scratch_server_by_dsn_is_left_as_found(
        spy: SecretSpy, source: Source, locked_location: Location,
        postgres_factory: Callable[[str], LocalPostgres],
        tmp_path: Path) -> None:
    take_backup(source, locked_location)
    scratch = postgres_factory("scratch-server")
    query = "SELECT (SELECT array_agg(datname ORDER BY 1) FROM pg_database), " \
            "(SELECT array_agg(rolname ORDER BY 1) FROM pg_roles)"
    with psycopg.connect(scratch.dsn()) as conn:
        before = conn.execute(query).fetchone()
    result = run_drill_cli(locked_location, tmp_path,
                           env={"TRUSTCTL_SCRATCH_DSN": scratch.dsn()})
    assert result.code == 0, result.stderr
    assert result.record["scratch"]["kind"] == "dsn"
    assert scratch.state()["password"] not in result.stdout + result.stderr
    with psycopg.connect(scratch.dsn()) as conn:
        assert conn.execute(query).fetchone() == before
    assert_clean(result, spy)


@pytest.mark.slow
def test_drill_sandbox_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's main job: start the sandbox, take a backup (recorded like any other: the
    drill depends on no backup flow of its own), rehearse it; exit 0."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    command = [sys.executable, "-c", "from trustctl.cli import app; app()", "drill",
               "--sandbox", "--evidence-dir", str(tmp_path / "evidence"), "--format", "json"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                                env=os.environ)
    finally:
        down()
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "pass" and "taking one" in result.stderr
    assert {c["status"] for c in record["controls"]} == {"pass"}
    assert len(list((tmp_path / "evidence").glob("drill-*.json"))) == 1
    [backup] = (tmp_path / "evidence").glob("backup-*.json")
    assert backup.name == f"backup-{record['backup']['backup_id']}.json"
    # both records say they came from the sandbox: a production report leaves them out
    for path in (backup, *(tmp_path / "evidence").glob("drill-*.json")):
        provenance = json.loads(path.read_text())["provenance"]
        assert provenance["environment"] == {"name": "sandbox", "profile": "default"}, path
