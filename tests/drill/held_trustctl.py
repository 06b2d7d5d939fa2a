"""`trustctl` whose drill holds 60 s once its restore has started, so a test can interrupt it
there. Run as a script in place of `trustctl` (the shipped CLI has no such hook)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from trustctl.cli import app
from trustctl.drill import run
from trustctl.drill.restore import Restored
from trustctl.drill.scratch import Scratch

HOLD_SECONDS = 60
_restore = run.restore_archive


def _held(plaintext: Iterable[bytes], format_name: str, scratch: Scratch, jobs: int,
          on_started: Callable[[], None], *rest: object) -> Restored:
    def started() -> None:
        on_started()
        time.sleep(HOLD_SECONDS)

    return _restore(plaintext, format_name, scratch, jobs, started, *rest)


if __name__ == "__main__":
    run.restore_archive = _held
    app()
