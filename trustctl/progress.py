"""Progress of long steps on stderr: a line every few seconds, never a secret, never on stdout."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator

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
