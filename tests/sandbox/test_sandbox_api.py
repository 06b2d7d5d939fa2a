"""The Python API the sandbox's provider and commands use (ensure_up / attach / status / down),
including after a crash."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sandbox_harness import gone, kill_leftovers

from trustctl import sandbox
from trustctl.errors import DependencyError
from trustctl.pg.server import running_pid
from trustctl.sandbox.state import read_state

pytestmark = pytest.mark.slow


def _wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return gone(pid)


def test_down_after_the_daemon_was_killed_still_stops_postgres(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRUSTCTL_HOME", str(tmp_path))
    directory = tmp_path / "sandbox"
    progress: list[str] = []
    try:
        info = sandbox.ensure_up(size_mb=9, progress=progress.append)
        assert sandbox.status() == info
        assert "postgresql://" not in repr(info) and "dsn" not in info.public()
        assert "sandbox: sandbox ready" in progress
        state = read_state(directory)
        daemon, moto = state["daemon_pid"], state["moto"]["pid"]
        postmaster = running_pid(directory / "pgdata")

        os.kill(daemon, signal.SIGKILL)
        os.waitpid(daemon, 0)  # our child: reap it

        assert postmaster is not None and not gone(postmaster)  # the server outlived its owner
        assert not gone(moto)  # and so did moto, with every backup
        assert sandbox.status() is None
        with pytest.raises(DependencyError, match=r"^the sandbox is down \(its daemon"):
            sandbox.attach()
        assert sandbox.down() is True
        assert _wait_gone(postmaster) and _wait_gone(moto)
        assert not directory.exists()
        assert sandbox.down() is False
    finally:
        kill_leftovers(directory)
