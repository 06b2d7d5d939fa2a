"""SIGTERM (how CI cancels a job, what `kill` sends) is handled as Ctrl-C everywhere: the same
cleanup runs (a multipart upload aborted, scratch servers and work directories removed, a
drill's record written) and the command exits 130, as for SIGINT. A teardown or a record
being written is not cut short by either: half done, it would leave a server, a directory or
a torn file behind; the signal takes effect once it is done."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

STOPPING = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised wherever Ctrl-C's KeyboardInterrupt would be."""


def _terminated(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """For the duration of a command, SIGTERM raises `Terminated` (a KeyboardInterrupt)."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Ctrl-C or SIGTERM during what runs inside is held until it is done, then raised."""
    if not _main_thread():
        yield
        return
    held: list[int] = []
    # read before any is replaced: a signal between replacing one and the next must not leave
    # a holding handler in place
    previous = {number: signal.getsignal(number) for number in STOPPING}
    try:
        for number in STOPPING:
            signal.signal(number, lambda signum, _frame: held.append(signum))
        yield
    except BaseException as error:
        # the block failed after a signal arrived: the signal still stops the command (exit
        # 130, not the error's code), with the error kept as its cause
        if held and not isinstance(error, KeyboardInterrupt):
            raise _interruption(held[0]) from error
        raise
    finally:
        for number, handler in previous.items():
            if handler is not None:  # None: not set from Python, nothing to put back
                signal.signal(number, handler)
    if held:
        raise _interruption(held[0])


def _interruption(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
