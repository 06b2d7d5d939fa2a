"""Start, find and stop the sandbox's background process.

`ensure_up` launches `trustctl.sandbox.daemon` in a new session (it outlives the command that
started it), echoes its progress and returns once it reports ready. `status` trusts state.json
only while the daemon and its Postgres are alive. `down` stops the daemon, makes sure no server
is left running, and removes the sandbox's directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil

from trustctl.errors import DependencyError, InputError
from trustctl.pg.server import LocalPostgres, running_pid
from trustctl.sandbox import seed
from trustctl.sandbox.state import (
    LOG_FILE,
    PGDATA,
    READY,
    SandboxInfo,
    read_state,
    sandbox_dir,
)

DAEMON_MODULE = "trustctl.sandbox.daemon"
PROFILES = ("default", "supabase")
POLL_SECONDS = 0.2
STOP_TIMEOUT_SECONDS = 60.0


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def ensure_up(size: str = "small", size_mb: int | None = None,
              progress: Callable[[str], None] = _to_stderr,
              profile: str | None = None) -> SandboxInfo:
    """The running sandbox; started first (seeded with `size`, or `size_mb` MB) if it is not.

    A running sandbox is returned as it is, whatever size it was seeded with; `profile`
    (default, or supabase: a Supabase-shaped database) must match it when given.
    """
    target_mb = seed.size_mb(size, size_mb)
    if profile is not None and profile not in PROFILES:
        raise InputError(f"--profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    directory = sandbox_dir()
    with _exclusive(directory):
        running = status()
        if running is not None:
            if profile is not None and running.profile != profile:
                raise InputError(f"the sandbox is up with profile {running.profile}, not "
                                 f"{profile}: run `trustctl sandbox down` first")
            return running
        _clear(directory)  # what a crashed or interrupted start left behind
        directory.mkdir(parents=True, mode=0o700)
        daemon = _launch(directory, target_mb, profile or PROFILES[0])
        try:
            return _wait_until_ready(directory, daemon, progress)
        except BaseException:
            _stop_daemon(daemon.pid)
            raise


def status() -> SandboxInfo | None:
    """The sandbox's info when it is up and ready, else None."""
    directory = sandbox_dir()
    state = read_state(directory)
    if not state or state.get("phase") != READY or not _daemon_alive(state.get("daemon_pid")):
        return None
    info = SandboxInfo.from_dict(state["info"])
    return info if running_pid(directory / PGDATA) is not None else None


def down() -> bool:
    """Stop the sandbox and delete its data; False when there was nothing to stop or delete."""
    directory = sandbox_dir()
    if not directory.exists():
        return False
    _clear(directory)
    return True


def _launch(directory: Path, target_mb: int, profile: str) -> subprocess.Popen:
    with (directory / LOG_FILE).open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", DAEMON_MODULE, str(directory), str(target_mb), profile],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True,
        )


def _wait_until_ready(directory: Path, daemon: subprocess.Popen,
                      progress: Callable[[str], None]) -> SandboxInfo:
    with (directory / LOG_FILE).open() as log:
        while True:
            lines = log.read().splitlines()
            for line in lines:
                progress(line)
            state = read_state(directory)
            if state and state.get("phase") == READY:
                return SandboxInfo.from_dict(state["info"])
            if daemon.poll() is not None:
                last = lines[-1] if lines else f"exit status {daemon.returncode}"
                raise DependencyError(f"the sandbox did not start ({last}); see {log.name}")
            time.sleep(POLL_SECONDS)


def _stop_daemon(pid: int | None) -> None:
    """SIGTERM the daemon and wait for its cleanup; SIGKILL it if it hangs."""
    if not _daemon_alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _daemon_alive(pid) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    if _daemon_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _clear(directory: Path) -> None:
    """Stop the daemon, then any server it left behind (if it died), then delete the directory."""
    _stop_daemon((read_state(directory) or {}).get("daemon_pid"))
    if (directory / PGDATA).exists():
        LocalPostgres.stop_orphan(directory / PGDATA)
    shutil.rmtree(directory, ignore_errors=True)


def _daemon_alive(pid: int | None) -> bool:
    """True when `pid` is a live sandbox daemon (not a zombie, not a recycled pid)."""
    if not pid:
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child, so it is not a zombie
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and DAEMON_MODULE in process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


@contextlib.contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """One `up` at a time: a second one waits, then finds the sandbox running."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with (directory.parent / "sandbox.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
