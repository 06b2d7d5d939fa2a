"""A program that does not finish well, in one line: where in the program, and what happened.

`plan` and `gate` word every failure the same way: an exception, an exit, a file that does not
parse, or a program stopped by the time limit (in its own code, or after it, when a resource
waits for an input that never resolves).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, TracebackType
from urllib.parse import unquote, urlparse


class PlanTimeout(BaseException):
    """The program ran longer than the time limit (a BaseException: `except Exception` in a
    program cannot swallow it)."""


REPEAT_S = 1.0


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the program after `seconds` (a program that never finishes must not hang CI).
    Only the main thread can take the alarm; elsewhere the program runs unbounded.

    The alarm repeats every REPEAT_S until the block ends: asyncio catches an exception raised
    inside one of its callbacks (even a BaseException) and carries on, so a single alarm that
    lands there is lost and the plan would wait forever. It repeats only while the event loop
    still runs: once the first is on its way out of the loop, another would cut short the
    clean-up on the way (this block's own included, leaving the alarm set)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    expired = False

    def expire(signum: int, frame: FrameType | None) -> None:
        nonlocal expired
        if expired and asyncio._get_running_loop() is None:
            return
        expired = True
        raise PlanTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _program_line(tb: TracebackType | None, root: Path) -> str:
    """`file:line: ` of the innermost frame of the program in a traceback, or ""."""
    where = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(str(root)):
            where = f"{Path(filename).relative_to(root)}:{tb.tb_lineno}: "
        tb = tb.tb_next
    return where


def _stalled_registrations(root: Path) -> str:
    """`file:line: ` of a resource of the program still waiting for its inputs, or "".

    A program whose own code has returned can still never finish: a resource waits for an input
    that never resolves. Its pending registration knows where the program declared it."""
    try:
        tasks = asyncio.all_tasks(asyncio.get_event_loop())
    except RuntimeError:
        return ""
    found = []
    for task in tasks:
        frame = getattr(task.get_coro(), "cr_frame", None)
        position = frame.f_locals.get("source_position") if frame is not None else None
        path = unquote(urlparse(getattr(position, "uri", "") or "").path)
        if path.startswith(str(root)):
            found.append(f"{Path(path).relative_to(root)}:{position.line}: ")
    return min(found, key=lambda at: (at.rsplit(":", 2)[0], int(at.rsplit(":", 2)[1])),
               default="")


def describe_failure(exc: BaseException, root: Path, timeout: float = 0) -> str:
    """One line, the same for `plan` and `gate`: where in the program, and what happened."""
    where = _program_line(exc.__traceback__, root)
    if isinstance(exc, PlanTimeout):
        if where:
            return f"{where}program did not finish within {timeout:g} s (--timeout)"
        return (f"{_stalled_registrations(root)}program did not finish within {timeout:g} s "
                "(--timeout): a resource still waits for an input that never resolved")
    if isinstance(exc, SystemExit):
        return f"{where}program exited with status {exc.code}"
    if isinstance(exc, SyntaxError) and exc.filename and exc.filename.startswith(str(root)):
        where = f"{Path(exc.filename).relative_to(root)}:{exc.lineno}: "
        return f"{where}program raised SyntaxError: {exc.msg}"
    first = str(exc).strip().splitlines()
    message = first[0] if first else ""
    return f"{where}program raised {type(exc).__name__}: {message}".rstrip(": ")


def unknown_stacks_warning(stacks: list[str]) -> str | None:
    """What a plan could not see: an output asked for by name is a placeholder (checks resting
    on it say so), but code run on a stack's whole `outputs` (`apply`) does not run while they
    are unknown, so what it would declare is not planned."""
    if not stacks:
        return None
    given = " ".join(f"--stack-outputs {s}=FILE" for s in stacks)
    return (f"outputs of {', '.join(stacks)} unknown at plan time: values computed from them "
            "hold placeholders, and resources a program declares from `.outputs` (in apply) "
            f"are not planned; give {given}")
