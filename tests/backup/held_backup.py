"""`trustctl` whose `backup run` holds 60 s once its multipart upload has begun (the first
encrypted bytes are on their way), so a test can interrupt it there. Run as a script in place
of `trustctl` (the shipped CLI has no such hook)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator

from trustctl.backup import run
from trustctl.cli import app

HOLD_SECONDS = 60
_encrypt = run.encrypt


def _held(chunks: Iterable[bytes], *args: object) -> Iterator[bytes]:
    for number, chunk in enumerate(_encrypt(chunks, *args)):
        yield chunk
        if number == 0:
            print("held: upload begun", file=sys.stderr, flush=True)
            time.sleep(HOLD_SECONDS)


if __name__ == "__main__":
    run.encrypt = _held
    app()
