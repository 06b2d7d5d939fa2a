"""Scratch servers of drills that died without tearing down (kill -9, the OOM killer, a lost CI
runner): found and removed by the next drill on the host.

Every embedded scratch server is registered, while it exists, by a file in a runtime directory
of this user ($TRUSTCTL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/trustctl, else
<tmp>/trustctl-<uid>; 0700), named by its drill's pid and that process's start time: a pid
alone may have been reused. A registration whose process is gone names a postmaster to stop
(it survives its drill, re-parented to init) and restored data to delete.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

from trustctl.errors import DependencyError
from trustctl.pg.server import LocalPostgres

RUNTIME_ENV = "TRUSTCTL_RUNTIME_DIR"
SCRATCH_PREFIX = "trustctl-drill-"


def runtime_dir() -> Path:
    """This user's directory of scratch registrations, made private (0700) if new."""
    configured = os.environ.get(RUNTIME_ENV)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    base = (Path(configured) if configured else Path(xdg) / "trustctl" if xdg
            else Path(tempfile.gettempdir()) / f"trustctl-{os.getuid()}")
    directory = base / "scratch"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # what it names is stopped and deleted: no one else may write there, nor swap it
    for path, private in ((directory, True), (base, False)):
        info = path.lstat()
        if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
                or (private and info.st_mode & 0o077)):
            raise DependencyError(f"{path} is not a private directory of this user: set "
                                  f"{RUNTIME_ENV} to one")
    return directory


@dataclass(frozen=True)
class Leftover:
    """A dead drill's scratch: the drill's pid, the scratch root directory."""

    pid: int
    root: Path


def register(root: Path, data_dir: Path) -> Path:
    """Notes that this process owns the scratch under `root`; returns the note (unlink it
    once the scratch is gone)."""
    root, data_dir = root.resolve(), data_dir.resolve()  # read by a drill elsewhere
    me = psutil.Process()
    note = runtime_dir() / f"{me.pid}-{me.create_time():.3f}-{root.name}.json"
    # whole or not at all: another drill's `reap` deletes a note it cannot read
    partial = note.with_name(f"{note.name}.partial")
    partial.write_text(json.dumps({"pid": me.pid, "started": me.create_time(),
                                   "root": str(root), "data_dir": str(data_dir)}))
    partial.rename(note)
    return note


def reap() -> list[Leftover]:
    """Stops the server and deletes the directory of every registered scratch whose drill is
    gone; what it removed."""
    removed = []
    for note in sorted(runtime_dir().glob("*.json")):
        try:
            entry = json.loads(note.read_text())
            pid, started, root = int(entry["pid"]), float(entry["started"]), Path(entry["root"])
            data_dir = Path(entry["data_dir"])
        except (OSError, ValueError, KeyError, TypeError):
            note.unlink(missing_ok=True)  # not a note `register` wrote
            continue
        if _alive(pid, started):
            continue
        # never stop or delete what a drill did not make
        if root.name.startswith(SCRATCH_PREFIX) and data_dir.is_relative_to(root):
            LocalPostgres.stop_orphan(data_dir)
            shutil.rmtree(root, ignore_errors=True)
            if root.exists():  # kept, to be tried again by the next drill
                continue
            removed.append(Leftover(pid, root))
        note.unlink(missing_ok=True)
    return removed


def _alive(pid: int, started: float) -> bool:
    try:
        return abs(psutil.Process(pid).create_time() - started) < 0.01
    except psutil.Error:
        return False
