"""A program's own output (a Pulumi program's prints while it is planned) is forwarded to our
stderr, but only its first OUTPUT_LIMIT characters: a debug loop printing 100 MB would bury
the report's one line and fill a CI log."""

from __future__ import annotations

import io
from typing import TextIO

OUTPUT_LIMIT = 1 << 20


class CappedText(io.TextIOBase):
    """Writes through to `target` until `limit` characters, then says once that the rest of
    `whose` output is left out."""

    def __init__(self, target: TextIO, whose: str, limit: int = OUTPUT_LIMIT) -> None:
        self.target, self.whose, self.limit = target, whose, limit
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.written
        if room > 0:
            self.target.write(text[:room])
            if len(text) > room:
                self.target.write(f"\ntrustctl: {self.whose} printed more than "
                                  f"{self.limit:,} characters: the rest is left out\n")
        self.written += len(text)
        return len(text)

    def flush(self) -> None:
        self.target.flush()
