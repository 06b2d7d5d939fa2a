"""Helpers of the sandbox tests: the running sandbox's record, and last-resort process cleanup."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psutil

from trustctl.pg.server import running_pid

CliResult = subprocess.CompletedProcess
Cli = Callable[..., CliResult]


@dataclass
class RunningSandbox:
    home: Path
    up: CliResult
    public: dict
    state: dict  # state.json, passwords included: for assertions only

    @property
    def directory(self) -> Path:
        return self.home / "sandbox"

    @property
    def passwords(self) -> list[str]:
        """Every password of this sandbox: the superuser's and claver_app's."""
        return [unquote(urlsplit(self.state["info"][key]).password or "")
                for key in ("dsn", "app_dsn")]


def kill_leftovers(directory: Path) -> None:
    """Last resort after `down`: SIGKILL a daemon, moto or postmaster still running from
    `directory`."""
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        ours = {"trustctl.sandbox.daemon", "trustctl.sandbox.moto"} & set(cmdline)
        if ours and any(arg.startswith(str(directory)) for arg in cmdline):
            with contextlib.suppress(psutil.Error):
                process.kill()
    pid = running_pid(directory / "pgdata") if (directory / "pgdata").exists() else None
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def gone(pid: int) -> bool:
    """True when `pid` no longer runs (exited, possibly not yet reaped)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
