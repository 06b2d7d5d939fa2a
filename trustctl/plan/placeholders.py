"""Placeholders: strings that stand for a value only the cloud knows, naming where it came from.

The mock runtime answers with them (plan/mocks.py); the planner and the gate's translation read
them back. Plain strings, no SDK: the gate reads them without importing Pulumi.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\(unknown at plan time: ([^()]*)\)")


def placeholder(origin: str) -> str:
    """A string that stands for a value only the cloud knows, and says where it came from; a
    string built from it (an f-string, a join) still carries it."""
    return f"(unknown at plan time: {origin})"


def is_placeholder(value: str) -> bool:
    """Whether `value` is one placeholder and nothing else (not a string built from one)."""
    return _PLACEHOLDER.fullmatch(value) is not None


def placeholder_origin(value: str) -> str | None:
    """Where the (first) placeholder inside `value` came from; None if it holds none."""
    match = _PLACEHOLDER.search(value)
    return match[1] if match else None
