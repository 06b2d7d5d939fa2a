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
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DependencyError(f"cannot connect to {dsn} ({dsn.origin}): "
                              f"{redaction.redact(reason)}") from None
