"""Start, find, bring back and stop the sandbox's background processes.

The sandbox is *up* (its daemon, moto and Postgres all run), *down* (it was up once, and one
of them stopped: a kill, an OOM, a reboot), or *absent*. Only `ensure_up` (`trustctl sandbox
up`, and `drill --sandbox` when the sandbox is absent) starts one, in a new session (it outlives
the command that started it), or brings a down one back with its data; every other command
`attach`es and, when the sandbox is down, says so and how to bring it back: no command
rebuilds it behind the user's back. Only `down` deletes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from trustctl.errors import DependencyError, InputError
from trustctl.pg.server import LocalPostgres, running_pid
from trustctl.progress import INTERVAL_SECONDS, heartbeat
from trustctl.sandbox import processes, seed
from trustctl.sandbox.state import LOG_FILE, PGDATA, READY, SandboxInfo, read_state, sandbox_dir

PROFILES = ("default", "supabase")
POLL_SECONDS = 0.2
NOT_UP = "the sandbox is not up: start it with `trustctl sandbox up`"


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def ensure_up(size: str | None = None, size_mb: int | None = None,
              progress: Callable[[str], None] = _to_stderr,
              profile: str | None = None) -> SandboxInfo:
    """The running sandbox: brought back first if it is down, started (seeded with `size`, or
    `size_mb` MB, small when neither is given) if there is none.

    `profile` (default, or supabase: a Supabase-shaped database) and the size must match an
    existing sandbox when they are given: changing either means `down` first.
    """
    _check_profile(profile)
    target_mb = seed.size_mb(size, size_mb)
    directory = sandbox_dir()
    with _exclusive(directory):
        state = read_state(directory)
        known = _known(state)
        if known is not None:
            _check_matches(known, profile, _size_flag(size, size_mb), target_mb)
            return known if _running(state) else _bring_back(directory, progress)
        _clear(directory)  # a start that never finished: nothing in it was ever usable
        directory.mkdir(parents=True, mode=0o700)
        daemon = _launch(directory, "start", str(target_mb), profile or PROFILES[0])
        try:
            return _wait_until_ready(directory, daemon, progress, 0)
        except BaseException:
            _stop_all(directory)  # its log stays, for the message; the next `up` clears it
            raise


def attach(profile: str | None = None, *, start: bool = False) -> SandboxInfo:
    """The running sandbox, as every command but `up` gets it (matching `profile` when given).

    A down sandbox is never brought back here: that is `trustctl sandbox up`'s to do, keeping
    its data. With `start`, an absent sandbox is started (`drill --sandbox`, the main job).
    """
    _check_profile(profile)
    state = read_state(sandbox_dir())
    known = _known(state)
    if known is None:
        if start:
            return ensure_up(profile=profile)
        raise DependencyError(NOT_UP)
    _check_matches(known, profile)
    if not _running(state):
        raise DependencyError(_down_reason(state))
    return known


def status() -> SandboxInfo | None:
    """The sandbox's info when it is up and ready, else None."""
    state = read_state(sandbox_dir())
    return _known(state) if _running(state) else None


def down() -> bool:
    """Stop the sandbox and delete its data; False when there was nothing to stop or delete."""
    directory = sandbox_dir()
    if not directory.exists():
        return False
    with heartbeat(_to_stderr, "sandbox: stopping and deleting its data"):
        _to_stderr(f"sandbox: stopping and deleting {directory}")
        _clear(directory)
    return True


def _known(state: dict[str, Any] | None) -> SandboxInfo | None:
    """The sandbox a state describes once it was ready (up or down since), else None."""
    return SandboxInfo.from_dict(state["info"]) if state and state.get("info") else None


def _running(state: dict[str, Any] | None) -> bool:
    return bool(state and state.get("phase") == READY
                and processes.alive(state.get("daemon_pid"), processes.DAEMON_MODULE)
                and processes.alive(_moto_pid(state), processes.MOTO_MODULE)
                and running_pid(sandbox_dir() / PGDATA) is not None)


def _down_reason(state: dict[str, Any]) -> str:
    """One line: what stopped, and how to bring the sandbox back."""
    daemon = state.get("daemon_pid")
    daemon_alive = processes.alive(daemon, processes.DAEMON_MODULE)
    if state.get("phase") != READY and daemon_alive:
        return "the sandbox is being brought back by `trustctl sandbox up`: try again when it is up"
    moto_alive = processes.alive(_moto_pid(state), processes.MOTO_MODULE)
    stopped = [part for part, up in ((f"its daemon (pid {daemon})", daemon_alive),
                                     ("its moto (AWS)", moto_alive),
                                     ("its postgres", running_pid(sandbox_dir() / PGDATA)))
               if not up]
    kept = ("with its database and backups" if moto_alive else
            "with its database (the backups were in moto's memory: they are lost)")
    return (f"the sandbox is down ({' and '.join(stopped)} stopped): `trustctl sandbox up` "
            f"brings it back {kept}")


def _moto_pid(state: dict[str, Any]) -> int | None:
    return (state.get("moto") or {}).get("pid")


def _check_profile(profile: str | None) -> None:
    if profile is not None and profile not in PROFILES:
        raise InputError(f"--sandbox-profile must be one of {', '.join(PROFILES)}, "
                         f"not {profile!r}")


def _check_matches(info: SandboxInfo, profile: str | None, size_flag: str | None = None,
                   target_mb: int | None = None) -> None:
    """One line when the sandbox there is not the one asked for (never changed silently)."""
    if profile is not None and info.profile != profile:
        mismatch = (f"--sandbox-profile {profile}", f"profile {info.profile}")
    elif size_flag is not None and info.size_mb != target_mb:
        mismatch = (size_flag, f"{info.size_mb} MB")
    else:
        return
    flag, has = mismatch
    raise InputError(f"{flag}: the sandbox was started with {has}; to change it, `trustctl "
                     f"sandbox down` (deletes its data), then `trustctl sandbox up {flag}`")


def _size_flag(size: str | None, size_mb: int | None) -> str | None:
    """The size option as given on the command line, or None."""
    if size_mb is not None:
        return f"--size-mb {size_mb}"
    return f"--size {size}" if size is not None else None


def _bring_back(directory: Path, progress: Callable[[str], None]) -> SandboxInfo:
    """A down sandbox up again with its data (see the daemon's `resume`)."""
    progress("sandbox: the sandbox is down: bringing it back, with its data")
    offset = (directory / LOG_FILE).stat().st_size if (directory / LOG_FILE).exists() else 0
    daemon = _launch(directory, "resume")
    try:
        return _wait_until_ready(directory, daemon, progress, offset)
    except BaseException:
        processes.stop(daemon.pid, processes.DAEMON_MODULE)
        raise


def _launch(directory: Path, *plan: str) -> subprocess.Popen:
    with (directory / LOG_FILE).open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", processes.DAEMON_MODULE, str(directory), *plan],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True,
        )


def _wait_until_ready(directory: Path, daemon: subprocess.Popen,
                      progress: Callable[[str], None], offset: int) -> SandboxInfo:
    """Echo the daemon's log from `offset` until it says the sandbox is ready; a step that
    says nothing for INTERVAL_SECONDS (seeding, adding keys and indexes) is named again."""
    step, began = "sandbox: starting", time.monotonic()
    said = began
    progress(step)
    with (directory / LOG_FILE).open() as log:
        log.seek(offset)
        while True:
            lines = log.read().splitlines()
            for line in lines:
                progress(line)
            now = time.monotonic()
            if lines:
                step, began, said = lines[-1], now, now
            elif now - said >= INTERVAL_SECONDS:
                progress(f"{step}: still running, {now - began:.0f} s")
                said = now
            state = read_state(directory)
            if state and state.get("phase") == READY and state.get("daemon_pid") == daemon.pid:
                return SandboxInfo.from_dict(state["info"])
            if daemon.poll() is not None:
                last = lines[-1] if lines else f"exit status {daemon.returncode}"
                raise DependencyError(f"the sandbox did not start ({last}); see {log.name}")
            time.sleep(POLL_SECONDS)


def _stop_all(directory: Path) -> None:
    """Stop the daemon, moto and Postgres (whichever still run); keep their files."""
    state = read_state(directory) or {}
    processes.stop(state.get("daemon_pid"), processes.DAEMON_MODULE)
    processes.stop(_moto_pid(state), processes.MOTO_MODULE)
    if (directory / PGDATA).exists():
        LocalPostgres.stop_orphan(directory / PGDATA)


def _clear(directory: Path) -> None:
    """Stop everything of the sandbox, then delete its directory."""
    _stop_all(directory)
    shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """One `up` at a time: a second one waits, then finds the sandbox running."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with (directory.parent / "sandbox.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
