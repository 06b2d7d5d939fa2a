"""Waiting on the sandbox's daemon is never silent: a step it logs and then works on for a
long while (seeding, adding keys and indexes) is named again every INTERVAL_SECONDS."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from trustctl.errors import DependencyError
from trustctl.progress import INTERVAL_SECONDS
from trustctl.sandbox import lifecycle
from trustctl.sandbox.state import LOG_FILE


def test_a_long_silent_step_of_the_daemon_is_named_again(tmp_path: Path) -> None:
    log = tmp_path / LOG_FILE
    # a daemon that says one thing, works silently past the interval, then dies
    script = (f"import time; open({str(log)!r}, 'a').write('sandbox: adding keys and "
              f"indexes\\n'); time.sleep({INTERVAL_SECONDS + 1.5})")
    log.write_text("")
    daemon = subprocess.Popen([sys.executable, "-c", script])
    said: list[str] = []
    with pytest.raises(DependencyError, match="the sandbox did not start"):
        lifecycle._wait_until_ready(tmp_path, daemon, said.append, 0)
    assert said[:2] == ["sandbox: starting", "sandbox: adding keys and indexes"]
    assert said[2].startswith("sandbox: adding keys and indexes: still running, 5")
