"""No long silence: a step, a stream that stalls, a wait on something that reports nothing,
each says something at least every INTERVAL_SECONDS in a log; on a terminal a bar with ETA."""

from __future__ import annotations

import io
import time

from rich.console import Console

from trustctl.progress import INTERVAL_SECONDS, MIB, Progress, Steps, heartbeat


def test_a_long_step_is_named_again_in_a_log() -> None:
    log = io.StringIO()
    with Steps("sandbox", Console(file=log, force_terminal=False)) as steps:
        steps.step("adding keys and indexes")
        time.sleep(INTERVAL_SECONDS + 0.6)
        steps.step("done")
    lines = log.getvalue().splitlines()
    assert lines[0] == "trustctl: sandbox: adding keys and indexes"
    assert lines[1].startswith("trustctl: sandbox: adding keys and indexes: still running, 5")
    assert lines[2] == "trustctl: sandbox: done"


def test_a_stalled_stream_still_reports_with_its_total(capsys) -> None:
    progress = Progress("drill restore", total=4 * MIB,
                        console=Console(file=io.StringIO(), force_terminal=False))
    with progress.running():
        progress.add(MIB)
        time.sleep(INTERVAL_SECONDS + 0.8)  # pg_restore building indexes: no byte flows
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("trustctl: drill restore: 1 MiB in 5 s, 25% of 4 MiB, about ")


def test_a_terminal_gets_a_bar_with_the_total() -> None:
    screen = io.StringIO()
    progress = Progress("drill restore", total=4 * MIB,
                        console=Console(file=screen, force_terminal=True, width=100))
    with progress.running():
        for _ in range(4):
            progress.add(MIB)
            time.sleep(0.2)
    shown = screen.getvalue()
    assert "drill restore" in shown and "4.2 MB" in shown and "━" in shown


def test_heartbeat_beats_until_the_body_ends() -> None:
    said: list[str] = []
    with heartbeat(said.append, "stopping the sandbox", interval=0.2):
        time.sleep(0.5)
    time.sleep(0.3)
    assert said == ["stopping the sandbox: still running, 0 s"] * 2
