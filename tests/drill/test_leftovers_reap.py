"""The registry of scratch servers (trustctl/drill/leftovers.py): what `reap` removes of a dead
drill's registration, and what it never touches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from trustctl.drill import leftovers
from trustctl.errors import DependencyError


@pytest.fixture()
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(leftovers.RUNTIME_ENV, str(tmp_path / "run"))
    return leftovers.runtime_dir()


def dead_drill() -> tuple[int, float]:
    """The pid and start time of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(child.pid).create_time()
    child.wait()
    return child.pid, started


def note_of(runtime: Path, pid: int, started: float, root: Path, data_dir: Path) -> Path:
    note = runtime / f"{pid}-{started:.3f}-{root.name}.json"
    note.write_text(json.dumps({"pid": pid, "started": started, "root": str(root),
                                "data_dir": str(data_dir)}))
    return note


def test_a_dead_drill_s_scratch_and_registration_are_removed(runtime: Path,
                                                              tmp_path: Path) -> None:
    root = tmp_path / f"{leftovers.SCRATCH_PREFIX}dead"
    (root / "data").mkdir(parents=True)
    pid, started = dead_drill()
    note = note_of(runtime, pid, started, root, root / "data")
    assert leftovers.reap() == [leftovers.Leftover(pid, root)]
    assert not root.exists() and not note.exists()


def test_a_live_drill_s_registration_is_kept(runtime: Path, tmp_path: Path) -> None:
    root = tmp_path / f"{leftovers.SCRATCH_PREFIX}live"
    (root / "data").mkdir(parents=True)
    note = leftovers.register(root, root / "data")
    assert json.loads(note.read_text())["root"] == str(root.resolve())
    assert leftovers.reap() == []
    assert root.exists() and note.exists()
    assert list(runtime.iterdir()) == [note]  # nothing half written beside it


def test_a_data_dir_outside_the_scratch_is_neither_stopped_nor_deleted(
        runtime: Path, tmp_path: Path) -> None:
    root = tmp_path / f"{leftovers.SCRATCH_PREFIX}forged"
    elsewhere = tmp_path / "someone-elses-data"
    root.mkdir()
    elsewhere.mkdir()
    note = note_of(runtime, *dead_drill(), root, elsewhere)
    assert leftovers.reap() == []
    assert root.exists() and elsewhere.exists() and not note.exists()


def test_a_runtime_directory_others_can_enter_is_refused(runtime: Path) -> None:
    runtime.chmod(0o755)
    with pytest.raises(DependencyError, match="not a private directory of this user"):
        leftovers.runtime_dir()
