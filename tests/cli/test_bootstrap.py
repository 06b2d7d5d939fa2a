"""scripts/bootstrap says what it installs and that it happens once, then stays silent.

The installers are stood in for by a `python3` on PATH that records `-m uv ...` calls (and runs
the real interpreter for everything else): the test is about what the script tells a person.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from trustctl.paths import REPO_ROOT

FAKE_PYTHON = f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "uv" ]; then
  echo "$*" >> "$INSTALLS"
  case "$*" in *"--project tools/checkov"*)
    mkdir -p tools/checkov/.venv/bin && touch tools/checkov/.venv/bin/checkov &&
    chmod +x tools/checkov/.venv/bin/checkov;;
  esac
  exit 0
fi
exec {sys.executable} "$@"
"""


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_bootstrap_announces_each_install_once_then_is_silent(tmp_path: Path) -> None:
    tree, bin_dir = tmp_path / "tree", tmp_path / "bin"
    for name in ("scripts/bootstrap", "uv.lock", "pyproject.toml", "tools/checkov/uv.lock",
                 "tools/checkov/pyproject.toml"):
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / name, tree / name)
    (tree / ".venv").mkdir()
    bin_dir.mkdir()
    _executable(bin_dir / "python3", FAKE_PYTHON)
    _executable(bin_dir / "chromium", "#!/bin/sh\n")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
           "INSTALLS": str(tmp_path / "installs.log")}

    def bootstrap() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(tree / "scripts" / "bootstrap")], env=env, text=True,
                              capture_output=True, timeout=60, check=True)

    first = bootstrap()
    said = first.stderr.splitlines()
    assert said[0].startswith("bootstrap: installing trustctl's environments; this happens once")
    assert any(line.startswith("bootstrap: 2/3 the project") for line in said)
    assert any(line.startswith("bootstrap: 3/3 checkov") for line in said)
    assert said[-1].startswith("bootstrap: done in ")
    installs = (tmp_path / "installs.log").read_text().splitlines()
    assert len([i for i in installs if " sync " in i]) == 2
    assert all("--quiet" in i for i in installs if " sync " in i)  # not a terminal: quiet
    again = bootstrap()
    assert again.stderr == "" and again.stdout == ""
    assert (tmp_path / "installs.log").read_text().splitlines() == installs  # nothing re-run
