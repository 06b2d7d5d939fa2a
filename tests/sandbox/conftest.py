"""A sandbox started through the real CLI in a private TRUSTCTL_HOME, always torn down.

`sandbox_cli` runs `python -m trustctl.cli ...` with that home. `running_sandbox` is one
`sandbox up` shared by a test module; its finalizer runs `sandbox down` and then kills whatever
is still alive (daemon, postmaster), so no server outlives the tests even when they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_harness import Cli, CliResult, RunningSandbox, kill_leftovers


@pytest.fixture(scope="module")
def sandbox_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("trustctl-home")


@pytest.fixture(scope="module")
def sandbox_cli(sandbox_home: Path) -> Cli:
    env = {**os.environ, "TRUSTCTL_HOME": str(sandbox_home)}

    def run(*args: str, timeout: float = 120) -> CliResult:
        return subprocess.run([sys.executable, "-m", "trustctl.cli", *args], env=env,
                              capture_output=True, text=True, timeout=timeout)

    return run


@pytest.fixture(scope="module")
def running_sandbox(sandbox_home: Path, sandbox_cli: Cli) -> Iterator[RunningSandbox]:
    directory = sandbox_home / "sandbox"
    try:
        up = sandbox_cli("sandbox", "up", "--format", "json")
        assert up.returncode == 0, up.stderr
        state = json.loads((directory / "state.json").read_text())
        yield RunningSandbox(sandbox_home, up, json.loads(up.stdout), state)
    finally:
        sandbox_cli("sandbox", "down")
        kill_leftovers(directory)
