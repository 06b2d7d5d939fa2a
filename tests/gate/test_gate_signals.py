"""A gate cancelled by CI (SIGTERM) or Ctrl-C at any step: exit 130, one line, and no
`trustctl-gate-*` work directory left in the temporary directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from gate_support import PROGRAM


@pytest.mark.parametrize("step", ["planning", "running checkov"])
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_gate_leaves_no_work_directory(tmp_path: Path, step: str,
                                                      how: int) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "trustctl.cli", "gate", "--program", str(PROGRAM), "--stack",
         "test", "--evidence-dir", str(tmp_path / "evidence")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(temporary)})
    lines = []
    while line := process.stderr.readline():
        lines.append(line)
        if line.startswith(f"trustctl: gate: {step}"):
            break
    assert lines and lines[-1].startswith(f"trustctl: gate: {step}"), "".join(lines)
    process.send_signal(how)
    _stdout, stderr = process.communicate(timeout=120)
    print(f"CASE gate {how!r} at {step}: exit {process.returncode}; "
          f"{stderr.splitlines()[-1:]}")
    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-1].startswith("trustctl: interrupted (")
    assert "Traceback" not in stderr
    assert not list(temporary.glob("trustctl-gate-*"))
