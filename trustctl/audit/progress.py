"""Progress of an audit on stderr: a rich bar (done/total, rate, ETA) on a terminal, one plain
line per finished check in CI logs. Never on stdout (the report goes there), never a secret."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from trustctl.audit.live_check import Outcome


@contextlib.contextmanager
def audit_progress(total: int) -> Iterator[Callable[[Outcome], None]]:
    """Yields the callback to call as each check finishes."""
    console = Console(stderr=True)
    lock = threading.Lock()
    if not console.is_terminal:
        done = [0]

        def line(outcome: Outcome) -> None:
            with lock:
                done[0] += 1
                print(f"trustctl: audit: {done[0]}/{total} {outcome.check_id} {outcome.status}",
                      file=sys.stderr, flush=True)

        yield line
        return
    columns = (TextColumn("audit"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("checks", total=total, rate="")

        def advance(outcome: Outcome) -> None:
            with lock:
                bar.advance(task)
                elapsed = bar.tasks[0].elapsed or 0
                done = bar.tasks[0].completed
                bar.update(task, rate=f"{done / elapsed:.1f} checks/s" if elapsed else "")

        yield advance
