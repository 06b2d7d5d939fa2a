"""A sandbox that stopped is never rebuilt behind the user's back (issue 23, item 6).

Its daemon killed (an OOM, a lost terminal's `kill -9`): every command says the sandbox is
down and how to bring it back, in one line, exit 2; `sandbox up` brings it back with its
database and its backups. Its moto killed too: the backups it held in memory are gone, and
the commands say so; `sandbox up` keeps the database and declares a new bucket.
"""

from __future__ import annotations

import json
import os
import signal
import time

import psutil
import pytest
from sandbox_harness import Cli, RunningSandbox, gone

pytestmark = pytest.mark.slow

# each test marks the database itself: pytest-xdist may run them on different workers
MARKER = "CREATE TABLE IF NOT EXISTS kept_by_up AS SELECT 42 AS answer"


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(pid)


def _state(sandbox: RunningSandbox) -> dict:
    return json.loads((sandbox.directory / "state.json").read_text())


def _one_error(result) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr: that line."""
    assert (result.returncode, result.stdout) == (2, ""), result.stdout + result.stderr
    [line] = result.stderr.splitlines()
    return line


def _backup_ids(cli: Cli) -> list[str]:
    listed = cli("backup", "list", "--sandbox", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    return [b["backup_id"] for b in json.loads(listed.stdout)["backups"]]


def test_a_read_only_command_never_starts_a_sandbox(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from trustctl.cli import app

    monkeypatch.setenv("TRUSTCTL_HOME", str(tmp_path))
    for argv in (["backup", "list", "--sandbox"], ["sandbox", "status"],
                 ["audit", "--sandbox", "--evidence-dir", str(tmp_path / "evidence")]):
        result = CliRunner().invoke(app, argv)
        assert (result.exit_code, result.stderr.splitlines()) == (2, [
            "trustctl: error: the sandbox is not up: start it with `trustctl sandbox up`"])
    assert not (tmp_path / "sandbox").exists()


def test_a_killed_daemon_loses_nothing_and_up_brings_it_back(
        running_sandbox: RunningSandbox, sandbox_cli: Cli, tmp_path) -> None:
    backup = sandbox_cli("backup", "run", "--sandbox", "--format", "json",
                         "--evidence-dir", str(tmp_path / "evidence"))
    assert backup.returncode == 0, backup.stderr
    backup_id = json.loads(backup.stdout)["backup_id"]
    assert sandbox_cli("sandbox", "psql", "--", "-c", MARKER).returncode == 0
    before = _state(running_sandbox)
    daemon = before["daemon_pid"]

    _kill(daemon)

    down = (f"trustctl: error: the sandbox is down (its daemon (pid {daemon}) stopped): "
            "`trustctl sandbox up` brings it back with its database and backups")
    assert _one_error(sandbox_cli("backup", "list", "--sandbox")) == down
    drill = sandbox_cli("drill", "--sandbox", "--evidence-dir", str(tmp_path / "drill"))
    assert _one_error(drill) == down  # the main job does not rebuild a sandbox either
    assert not (tmp_path / "drill").exists()
    assert _one_error(sandbox_cli("sandbox", "status")) == down
    assert _state(running_sandbox)["info"] == before["info"]  # nothing was rebuilt

    up = sandbox_cli("sandbox", "up", "--format", "json")
    assert up.returncode == 0, up.stderr
    assert "moto still serves" in up.stderr and "postgres still runs" in up.stderr
    assert json.loads(up.stdout) == running_sandbox.public  # the same sandbox, same ports
    assert _backup_ids(sandbox_cli) == [backup_id]
    kept = sandbox_cli("sandbox", "psql", "--", "-Atc", "SELECT answer FROM kept_by_up")
    assert kept.stdout.strip() == "42", kept.stderr
    assert psutil.pid_exists(_state(running_sandbox)["daemon_pid"])


def test_a_killed_moto_is_said_and_up_keeps_the_database(
        running_sandbox: RunningSandbox, sandbox_cli: Cli) -> None:
    assert sandbox_cli("sandbox", "psql", "--", "-c", MARKER).returncode == 0
    state = _state(running_sandbox)
    _kill(state["moto"]["pid"])
    deadline = time.monotonic() + 10  # the daemon sees moto gone within a second, and stops
    while not gone(state["daemon_pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)

    line = _one_error(sandbox_cli("backup", "list", "--sandbox"))
    assert line == (f"trustctl: error: the sandbox is down (its daemon (pid "
                    f"{state['daemon_pid']}) and its moto (AWS) stopped): `trustctl sandbox up` "
                    "brings it back with its database (the backups were in moto's memory: "
                    "they are lost)")

    up = sandbox_cli("sandbox", "up", "--format", "json")
    assert up.returncode == 0, up.stderr
    assert "moto (the sandbox's AWS) had stopped, and the backups it held with it" in up.stderr
    assert json.loads(up.stdout)["aws_endpoint"] != running_sandbox.public["aws_endpoint"]
    assert _backup_ids(sandbox_cli) == []
    kept = sandbox_cli("sandbox", "psql", "--", "-Atc", "SELECT answer FROM kept_by_up")
    assert kept.stdout.strip() == "42", kept.stderr  # not re-seeded


def test_a_stopped_postgres_is_started_again_on_its_data(
        running_sandbox: RunningSandbox, sandbox_cli: Cli) -> None:
    from trustctl.pg.server import LocalPostgres

    assert sandbox_cli("sandbox", "psql", "--", "-c", MARKER).returncode == 0
    LocalPostgres.stop_orphan(running_sandbox.directory / "pgdata")  # as `pg_ctl stop` would
    line = _one_error(sandbox_cli("sandbox", "psql", "--", "-c", "SELECT 1"))
    assert "its postgres stopped" in line and "`trustctl sandbox up` brings it back" in line
    up = sandbox_cli("sandbox", "up")
    assert up.returncode == 0, up.stderr
    assert "postgres started again" in up.stderr
    kept = sandbox_cli("sandbox", "psql", "--", "-Atc", "SELECT answer FROM kept_by_up")
    assert kept.stdout.strip() == "42", kept.stderr
