"""Progress of a review on stderr: a rich bar (count, rate, ETA) on a terminal, plain lines in
CI logs, nothing when quiet. Never on stdout, which holds the result."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

PREFIX = "trustctl: access-review: "
PLAIN_STEPS = 10  # a plain line at every tenth of the way (only the last one for short runs)


class Progress:
    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._quiet = quiet

    def say(self, message: str) -> None:
        if not self._quiet:
            print(PREFIX + message, file=self._stream, flush=True)

    @contextlib.contextmanager
    def counting(self, label: str, total: int) -> Iterator[Callable[[], None]]:
        """Yields `advance()`, to call once per item of `total`."""
        if self._quiet or total == 0:
            yield lambda: None
        elif self._stream.isatty():
            with self._bar(label, total) as advance:
                yield advance
        else:
            done = 0
            step = total // PLAIN_STEPS if total >= 2 * PLAIN_STEPS else total

            def advance() -> None:
                nonlocal done
                done += 1
                if done % step == 0 or done == total:
                    self.say(f"{label}: {done} of {total}")

            yield advance

    @contextlib.contextmanager
    def _bar(self, label: str, total: int) -> Iterator[Callable[[], None]]:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            ProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: object) -> Text:
                speed = getattr(task, "speed", None)
                return Text(f"{speed:.1f}/s" if speed else "-/s")

        columns = (TextColumn(PREFIX + label), BarColumn(), MofNCompleteColumn(), Rate(),
                   TimeRemainingColumn())
        with Bar(*columns, console=Console(file=self._stream)) as bar:
            task = bar.add_task(label, total=total)
            yield lambda: bar.advance(task)


QUIET = Progress(quiet=True)
