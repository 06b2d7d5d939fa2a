"""Progress of long work on stderr, never a secret, never on stdout: bytes of a stream and the
steps of a command. Nothing long is silent: on a terminal a rich bar (total and ETA where the
total is known) or a spinner naming the step; in CI logs a line at least every
INTERVAL_SECONDS, also while a step waits on something that reports nothing (pg_restore
building indexes, a server stopping)."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.status import Status as RichStatus

INTERVAL_SECONDS = 5.0
MIB = 1 << 20


@contextlib.contextmanager
def heartbeat(say: Callable[[str], None], what: str,
              interval: float = INTERVAL_SECONDS) -> Iterator[None]:
    """While the body runs, `say("<what>: still running, N s")` every `interval` seconds from a
    thread, so that a step longer than that is never silent in a log."""
    began, stop = time.monotonic(), threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            say(f"{what}: still running, {time.monotonic() - began:.0f} s")

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class Progress:
    """Counts bytes of a stream and reports them now and then under a label; `running()` keeps
    reporting while nothing flows (a rich bar on a terminal)."""

    def __init__(self, label: str, *, quiet: bool = False, total: int | None = None,
                 console: Console | None = None) -> None:
        self.label = label
        self.quiet = quiet
        self.total = total
        self.bytes = 0
        self.console = console or Console(stderr=True)
        self._start = time.monotonic()
        self._last = self._start
        self._bar: tuple[RichProgress, object] | None = None

    def add(self, size: int) -> None:
        self.bytes += size
        if self._bar is not None:
            bar, task = self._bar
            bar.update(task, completed=self.bytes)  # type: ignore[arg-type]
        elif time.monotonic() - self._last >= INTERVAL_SECONDS:
            self._report()

    def _report(self) -> None:
        now = time.monotonic()
        self._last = now
        line = f"{self.bytes / MIB:,.0f} MiB in {now - self._start:,.0f} s"
        if self.total:
            done = min(self.bytes / self.total, 1.0)
            left = (now - self._start) * (1 - done) / done if done else None
            line += f", {done:.0%} of {self.total / MIB:,.0f} MiB" + (
                f", about {left:,.0f} s left" if left is not None and done < 1 else "")
        self.say(line)

    def track(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Passes a stream through, counting it."""
        for chunk in chunks:
            self.add(len(chunk))
            yield chunk

    @contextlib.contextmanager
    def running(self) -> Iterator[Progress]:
        """While the body runs: on a terminal a bar (with ETA when the total is known); in CI a
        line at least every INTERVAL_SECONDS, whether bytes flow or the work behind them
        reports nothing for a while."""
        if self.quiet:
            yield self
            return
        if self.console.is_terminal:
            columns = (TextColumn(self.label), BarColumn(), DownloadColumn(),
                       TimeElapsedColumn(), TimeRemainingColumn())
            with RichProgress(*columns, console=self.console, transient=True) as bar:
                self._bar = (bar, bar.add_task(self.label, total=self.total))
                try:
                    yield self
                finally:
                    self._bar = None
            return
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(0.5):
                if time.monotonic() - self._last >= INTERVAL_SECONDS:
                    self._report()

        thread = threading.Thread(target=beat, name="progress", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()

    def say(self, message: str) -> None:
        if self.quiet:
            return
        self._last = time.monotonic()
        if self._bar is not None:
            self._bar[0].console.print(f"trustctl: {self.label}: {message}", highlight=False,
                                       markup=False)
        else:
            print(f"trustctl: {self.label}: {message}", file=sys.stderr, flush=True)


class Steps:
    """The steps of a long command on stderr, so a person never waits on a blank screen: on a
    terminal a rich spinner with the step's elapsed time (each finished step stays as a line),
    in CI logs one plain line per step, and one every INTERVAL_SECONDS while it lasts. stdout
    stays the report's alone."""

    def __init__(self, label: str, console: Console | None = None) -> None:
        self.label = label
        self.console = console or Console(stderr=True)
        self._status: RichStatus | None = None
        self._current: tuple[str, float] | None = None
        self._beat: contextlib.ExitStack | None = None

    def step(self, message: str) -> None:
        """Start a step (the previous one is done)."""
        self._finish_current()
        self._current = (message, time.monotonic())
        if not self.console.is_terminal:
            self._line(message)
            self._stop_beat()
            self._beat = contextlib.ExitStack()
            self._beat.enter_context(heartbeat(self._line, message))
            return
        if self._status is None:
            self._status = self.console.status(message)
            self._status.start()
        else:
            self._status.update(message)

    def close(self, failed: bool = False) -> None:
        """The last step is done (or failed: no tick for it): stop the spinner."""
        self._finish_current(failed)
        self._stop_beat()
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _line(self, message: str) -> None:
        print(f"trustctl: {self.label}: {message}", file=self.console.file, flush=True)

    def _stop_beat(self) -> None:
        if self._beat is not None:
            self._beat.close()
            self._beat = None

    def _finish_current(self, failed: bool = False) -> None:
        if self._current is not None and self.console.is_terminal:
            message, began = self._current
            mark = "[red]✗[/]" if failed else "[green]✓[/]"
            self.console.print(f"{mark} {message} [dim]({time.monotonic() - began:.1f} s)",
                               highlight=False)
        self._current = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self.close(failed=exc_type is not None)
