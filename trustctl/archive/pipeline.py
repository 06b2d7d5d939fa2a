"""Running one stage of a byte stream in a thread of its own, a bounded few items ahead.

Why: a backup is a chain of stages (read pg_dump's pipe, compress, seal and hash, upload) whose
heavy work happens in C with the GIL released. Chained as plain generators they take turns in
one thread; with `ahead` each stage runs while the next consumes, and the bounded queue keeps
memory flat (at most `depth` items wait). An exception of the stage reaches the consumer, in
its thread; a consumer that stops early (an error downstream, Ctrl-C) stops the stage at its
next item.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
_END = object()
_POLL_SECONDS = 0.1


def ahead(items: Iterable[Item], depth: int, name: str) -> Iterator[Item]:
    """Yields `items`, produced in a daemon thread named `name`, at most `depth` ahead."""
    pending: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                pending.put(item, timeout=_POLL_SECONDS)
                return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer
            put(_Failure(exc))

    threading.Thread(target=produce, name=name, daemon=True).start()
    try:
        while (item := pending.get()) is not _END:
            if isinstance(item, _Failure):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()


class _Failure:
    """An exception raised by the stage, carried through the queue."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
