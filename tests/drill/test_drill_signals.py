"""Interrupting a drill anywhere in its scratch server's start: nothing left, exit 130, a summary
and an `interrupted` record; SIGTERM (how CI cancels a job) is handled as Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backup.fixtures import Source, take_backup

from drill.helpers import assert_no_process_under, assert_one_line_reason, location_args
from trustctl.archive.location import Location

HELD_TRUSTCTL = Path(__file__).with_name("held_trustctl.py")
STARTING = "starting a scratch PostgreSQL"


def start_drill(where: Location, tmp_path: Path) -> subprocess.Popen[str]:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    command = [sys.executable, str(HELD_TRUSTCTL), "drill", *location_args(where),
               "--evidence-dir", str(tmp_path / "evidence"), "--scratch-dir", str(scratch)]
    env = {**os.environ, "TRUSTCTL_RUNTIME_DIR": str(tmp_path / "run")}
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
