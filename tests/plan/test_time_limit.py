"""The plan's time limit: it stops a program, and once the program is stopping, lets it."""

from __future__ import annotations

import signal
import time

import pytest

from trustctl.plan import failures
from trustctl.plan.failures import PlanTimeout, time_limit


def test_the_block_is_stopped_and_the_alarm_is_cleared_after_it() -> None:
    with pytest.raises(PlanTimeout), time_limit(0.05):
        time.sleep(5)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_slow_clean_up_outside_the_event_loop_is_not_cut_short(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The alarm repeats for asyncio's sake; cleaning up after the first must run to its end."""
    monkeypatch.setattr(failures, "REPEAT_S", 0.05)
    cleaned = False
    with pytest.raises(PlanTimeout), time_limit(0.05):
        try:
            time.sleep(5)
        finally:
            time.sleep(0.3)  # several repeats land here
            cleaned = True
    assert cleaned
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
