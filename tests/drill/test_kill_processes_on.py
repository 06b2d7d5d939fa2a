"""`stop_orphan`'s last resort (trustctl/pg/server.py `_kill_processes_on`) kills what works on
one data directory, named whole on a command line, and nothing that works on a sibling whose
name begins the same."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

from trustctl.pg.server import _kill_processes_on

SLEEP = "import time; time.sleep(120)"


def test_only_processes_naming_the_directory_whole_are_killed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    named = [[sys.executable, "-c", SLEEP, "-D", str(data)],
             [sys.executable, "-c", SLEEP, f"--pgdata={data}"],
             ["/bin/sh", "-c", f'exec "{sys.executable}" -c "{SLEEP}" -D "{data}" -p 1']]
    sibling = [sys.executable, "-c", SLEEP, "-D", f"{data}-2"]
    victims = [subprocess.Popen(c) for c in named]
    bystander = subprocess.Popen(sibling)
    try:
        for process in (*victims, bystander):  # exec'd: its own command line, not pytest's
            while str(data) not in " ".join(psutil.Process(process.pid).cmdline()):
                time.sleep(0.05)
        _kill_processes_on(data)  # kills and reaps them (psutil.wait_procs)
        assert [psutil.pid_exists(p.pid) for p in victims] == [False, False, False]
        assert bystander.poll() is None
    finally:
        for process in (*victims, bystander):
            process.kill()
            process.wait()
