"""The gate's helper tools (checkov, zizmor) run as child processes that end with every
process they started.

checkov forks workers to run frameworks in parallel. Killing checkov alone leaves a worker
holding its output pipes, and reading them to the end (what `communicate` does) then waits
forever: a gate whose program failed during that second would hang CI. Each tool therefore
starts in its own process group, and the whole group is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import Any


def start_tool(args: list[str], **popen: Any) -> subprocess.Popen[str]:
    """`args` started in a process group of its own, with text pipes as `popen` asks."""
    return subprocess.Popen(args, text=True, start_new_session=True, **popen)


def kill_tool(proc: subprocess.Popen[str]) -> None:
    """Kill the tool and everything it started, and reap it (its pipes read and closed).

    Only an unreaped tool's group is killed: until it is reaped its process id (the group's id)
    cannot be given to another process."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
