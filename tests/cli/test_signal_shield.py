"""trustctl/signals.py: a signal during a shielded block is held, raised after it, and the
command's own handlers are back in place."""

from __future__ import annotations

import os
import signal

import pytest

from trustctl import signals


def test_sigterm_inside_a_shielded_block_is_raised_after_it_as_terminated() -> None:
    finished = []
    with signals.terminate_as_interrupt():
        before = {n: signal.getsignal(n) for n in signals.STOPPING}
        with pytest.raises(signals.Terminated), signals.shielded():
            os.kill(os.getpid(), signal.SIGTERM)
            finished.append(True)
        assert finished == [True]
        assert {n: signal.getsignal(n) for n in signals.STOPPING} == before


def test_a_signal_while_the_shield_is_raised_leaves_no_holding_handler(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM arriving after SIGINT is held but before SIGTERM is: Terminated is raised
    there, and Ctrl-C must not stay held by a handler nobody reads."""
    real_signal = signal.signal

    def racing(number: int, handler: object) -> object:
        previous = real_signal(number, handler)
        if number == signal.SIGINT and handler is not signal.default_int_handler:
            raise signals.Terminated  # as _terminated would, at exactly this point
        return previous

    monkeypatch.setattr(signal, "signal", racing)
    with pytest.raises(signals.Terminated), signals.shielded():
        pytest.fail("the block must not run")
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_signal_held_while_the_block_fails_is_not_lost() -> None:
    """Ctrl-C during a teardown that then raises: the command still stops as interrupted
    (exit 130), and the teardown's error stays readable as the cause."""
    with pytest.raises(KeyboardInterrupt) as raised, signals.shielded():
        os.kill(os.getpid(), signal.SIGINT)
        raise OSError("teardown failed")
    assert isinstance(raised.value.__cause__, OSError)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
