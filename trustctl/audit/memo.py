"""Facts read once per run, however many checks ask for them at the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class Memo:
    """The first caller of a key computes it; concurrent and later callers get its result.

    A failure (e.g. CouldNotRead) is remembered too, so every check that needs an unreadable
    fact reports it, and the API is asked only once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[Any, Future] = {}

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if owner:
                future = self._futures[key] = Future()
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()
