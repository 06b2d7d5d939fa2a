"""Interrupting a drill anywhere in its scratch server's start: nothing left, exit 130, a summary
and an `interrupted` record; SIGTERM (how CI cancels a job) is handled as Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from backup.fixtures import SecretSpy, Source, take_backup

from drill.helpers import (
    assert_clean,
    assert_no_process_under,
    assert_one_line_reason,
    location_args,
    run_drill_cli,
)
from trustctl.archive.location import Location
from trustctl.drill.leftovers import RUNTIME_ENV
from trustctl.pg.server import running_pid

HELD_TRUSTCTL = Path(__file__).with_name("held_trustctl.py")
STARTING = "starting a scratch PostgreSQL"


def start_drill(where: Location, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    scratch = tmp_path / "scratch"
    scratch.mkdir(parents=True)
    command = [sys.executable, str(HELD_TRUSTCTL), "drill", *location_args(where),
               "--evidence-dir", str(tmp_path / "evidence"), "--scratch-dir", str(scratch), *extra]
    env = {**os.environ, RUNTIME_ENV: str(tmp_path / "run")}
    # its own session, as a shell's job: a terminal's Ctrl-C reaches the whole group
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)


def wait_for(process: subprocess.Popen[str], wanted: str) -> list[str]:
    lines = []
    while line := process.stderr.readline():
        lines.append(line)
        if wanted in line:
            return lines
    raise AssertionError("".join(lines))


@pytest.mark.parametrize("delay", [0.0, 0.2, 0.5, 0.9, 1.4, 2.0])
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_while_the_scratch_server_starts(
        source: Source, locked_location: Location, tmp_path: Path, delay: float,
        how: str) -> None:
    take_backup(source, locked_location)
    process = start_drill(locked_location, tmp_path)
    before = wait_for(process, STARTING)
    time.sleep(delay)
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGTERM)
    stdout, rest = process.communicate(timeout=90)
    stderr = "".join(before) + rest
    print(f"CASE {how} {delay}: exit {process.returncode}; {rest.strip().splitlines()[:1]}")
    assert process.returncode == 130, stderr + stdout
    assert_one_line_reason(stderr)
    assert "Restore drill" in stdout and "INTERRUPTED" in stdout
    assert not list((tmp_path / "scratch").iterdir()), stderr
    assert_no_process_under(tmp_path / "scratch")
    records = list((tmp_path / "evidence").glob("drill-*.json"))
    assert len(records) == 1
    facts = json.loads(records[0].read_text())["facts"]
    assert facts["status"] == "interrupted" and facts["exit_code"] == 130
    teardown = facts["steps"][-1]
    assert teardown["name"] == "teardown" and teardown["status"] == "pass"
    assert "removed" in teardown["detail"]


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_mid_restore_after_a_silent_stretch(
        source: Source, locked_location: Location, tmp_path: Path, how: int) -> None:
    take_backup(source, locked_location)
    process = start_drill(locked_location, tmp_path)
    wait_for(process, "restore started")
    # the restore holds (pg_restore busy, no byte flowing): the log still hears from it
    said = wait_for(process, "MiB in")
    process.send_signal(how)
    stdout, stderr = process.communicate(timeout=90)
    print(f"CASE mid-restore {how!r}: exit {process.returncode}; {stderr.splitlines()[:1]}")
    assert process.returncode == 130, stderr
    assert "trustctl: drill interrupted: restore: interrupted" in stderr
    assert "INTERRUPTED" in stdout
    assert "% of" in said[-1]  # the total is known: how far, and how long is left
    assert not list((tmp_path / "scratch").iterdir())
    record = json.loads(next((tmp_path / "evidence").glob("drill-*.json")).read_text())
    assert record["facts"]["status"] == "interrupted"


def test_a_killed_drills_scratch_server_is_removed_by_the_next_drill(
        spy: SecretSpy, source: Source, locked_location: Location, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    take_backup(source, locked_location)
    killed = start_drill(locked_location, tmp_path / "killed")
    wait_for(killed, "restore started")
    [data_dir] = (tmp_path / "killed" / "scratch").glob("trustctl-drill-*/data")
    # restored customer data is readable by its owner only
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert not stat.S_IMODE(data_dir.parent.stat().st_mode) & 0o077 & ~0o011
    os.killpg(killed.pid, signal.SIGKILL)  # OOM killer, a lost runner: no cleanup at all
    killed.wait(timeout=30)
    postmaster = running_pid(data_dir)
    assert postmaster is not None, "the scratch postmaster should outlive its drill"
    monkeypatch.setenv(RUNTIME_ENV, str(tmp_path / "killed" / "run"))
    result = run_drill_cli(locked_location, tmp_path / "evidence")
    said = [line for line in result.stderr.splitlines() if "left by killed drills" in line]
    print(f"CASE next drill after kill -9: exit {result.code}; {said}")
    assert result.code == 0, result.stderr
    assert len(said) == 1 and str(data_dir.parent) in said[0] and str(killed.pid) in said[0]
    assert not psutil.pid_exists(postmaster) or psutil.Process(postmaster).status() == "zombie"
    assert not data_dir.parent.exists()
    assert_no_process_under(data_dir)
    assert not list((tmp_path / "killed" / "run" / "scratch").iterdir())
    assert_clean(result, spy)


def test_a_full_scratch_disk_is_one_line_naming_it(
        source: Source, locked_location: Location, tmp_path: Path) -> None:
    take_backup(source, locked_location)
    small = tmp_path / "small"
    small.mkdir()
    mount = (f"mount -t tmpfs -o size=20m tmpfs {small} && exec {sys.executable} "
             f"-m trustctl.cli drill {' '.join(location_args(locked_location))} "
             f"--evidence-dir {tmp_path / 'evidence'} --scratch-dir {small}")
    result = subprocess.run(["unshare", "-m", "sh", "-c", mount], capture_output=True,
                            text=True, timeout=120, env={**os.environ,
                                                         RUNTIME_ENV: str(tmp_path / "run")})
    print(f"CASE scratch on a 20 MB tmpfs: exit {result.returncode}; "
          f"{[line for line in result.stderr.splitlines() if 'error' in line][:1]}")
    assert result.returncode == 2, result.stderr
    assert_one_line_reason(result.stderr)
    [reason] = [line for line in result.stderr.splitlines() if "drill error" in line]
    assert "No space left on device" in reason and "initdb" in reason
    assert "CalledProcessError" not in result.stderr and len(result.stderr.splitlines()) < 8
