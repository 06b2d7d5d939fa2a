"""Progress of long work on stderr, never a secret, never on stdout: bytes of a stream (a line
every few seconds) and the steps of a command."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator

from rich.console import Console
from rich.status import Status as RichStatus

INTERVAL_SECONDS = 5.0
MIB = 1 << 20


class Progress:
    """Counts bytes of a stream and reports them now and then under a label."""

    def __init__(self, label: str, *, quiet: bool = False) -> None:
        self.label = label
        self.quiet = quiet
        self.bytes = 0
        self._start = time.monotonic()
        self._last = self._start

    def add(self, size: int) -> None:
        self.bytes += size
        now = time.monotonic()
        if now - self._last >= INTERVAL_SECONDS:
            self._last = now
            self.say(f"{self.bytes / MIB:,.0f} MiB in {now - self._start:,.0f} s")

    def track(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Passes a stream through, counting it."""
        for chunk in chunks:
            self.add(len(chunk))
            yield chunk

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"trustctl: {self.label}: {message}", file=sys.stderr, flush=True)


class Steps:
    """The steps of a long command on stderr, so a person never waits on a blank screen: on a
    terminal a rich spinner with the step's elapsed time (each finished step stays as a line),
    in CI logs one plain line per step. stdout stays the report's alone."""

    def __init__(self, label: str, console: Console | None = None) -> None:
        self.label = label
        self.console = console or Console(stderr=True)
        self._status: RichStatus | None = None
        self._current: tuple[str, float] | None = None

    def step(self, message: str) -> None:
        """Start a step (the previous one is done)."""
        self._finish_current()
        self._current = (message, time.monotonic())
        if not self.console.is_terminal:
            print(f"trustctl: {self.label}: {message}", file=self.console.file, flush=True)
            return
        if self._status is None:
            self._status = self.console.status(message)
            self._status.start()
        else:
            self._status.update(message)

    def close(self, failed: bool = False) -> None:
        """The last step is done (or failed: no tick for it): stop the spinner."""
        self._finish_current(failed)
        if self._status is not None:
            self._status.stop()
            self._status = None

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
