"""The sandbox's own background processes (its daemon, its moto): alive or not, and stopping one.

A pid is trusted only while it still runs the sandbox's module (not a zombie, not a pid the
system has since given to another program).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

import psutil

DAEMON_MODULE = "trustctl.sandbox.daemon"
MOTO_MODULE = "trustctl.sandbox.moto"  # not imported here: `python -m` runs it fresh
POLL_SECONDS = 0.2
STOP_TIMEOUT_SECONDS = 60.0


def alive(pid: int | None, module: str) -> bool:
    """True when `pid` is a live process running `python -m module`."""
    if not pid:
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child, so it is not a zombie
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and module in process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def stop(pid: int | None, module: str) -> None:
    """SIGTERM the process and wait for its cleanup; SIGKILL it if it hangs."""
    if not alive(pid, module):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while alive(pid, module) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    if alive(pid, module):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
