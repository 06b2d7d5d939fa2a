"""Connecting to Postgres: one-line, password-free errors for every flow (backup, drill, audit)."""

from __future__ import annotations

from typing import Any

import psycopg

from trustctl import redaction
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError


def connect(dsn: Dsn, **kwargs: Any) -> psycopg.Connection:
    """psycopg.connect with a one-line, password-free error."""
    try:
        return psycopg.connect(connect_timeout=10, **dsn.libpq_params(), **kwargs)
    except psycopg.Error as exc:
        raise DependencyError(f"cannot connect to {dsn} ({dsn.origin}): "
                              f"{redaction.redact(libpq_reason(exc))}") from None


def libpq_reason(exc: psycopg.Error) -> str:
    """libpq's cause ("Connection refused", "password authentication failed for user ..."),
    without its tab-indented hints or the repeats of a multi-host attempt."""
    lines = [line for line in str(exc).splitlines() if line.strip() and not line[0].isspace()]
    if not lines:
        return type(exc).__name__
    return " ".join(lines[0].rpartition(" failed: ")[2].split())
