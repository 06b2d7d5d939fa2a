"""A helper tool that forked workers is killed with them: reading its pipes must not wait."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from trustctl.gate.tool_process import kill_tool, start_tool

# a tool like checkov mid-run: a forked worker shares its stdout, and both run on
FORKS_AND_WAITS = """
import os, sys, time
if os.fork() == 0:
    print(os.getpid(), flush=True)
    time.sleep(600)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has ended, it waits to be reaped
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_killing_a_tool_kills_the_workers_it_forked_and_returns() -> None:
    proc = start_tool([sys.executable, "-c", FORKS_AND_WAITS], stdout=subprocess.PIPE)
    worker = int(proc.stdout.readline())
    killing = threading.Thread(target=kill_tool, args=(proc,), daemon=True)
    killing.start()
    killing.join(timeout=30)
    assert not killing.is_alive(), "kill_tool waited on a pipe the forked worker still held"
    assert proc.returncode == -9
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)


def test_a_tool_that_finished_is_only_reaped() -> None:
    proc = start_tool([sys.executable, "-c", "print('done')"], stdout=subprocess.PIPE)
    proc.wait()
    kill_tool(proc)
    assert proc.returncode == 0
