"""The database's facts, read over one read-only connection (default_transaction_read_only),
with the drill's own RLS code (trustctl.pg.rls): the same posture rule and isolation
probe judge a restored backup and the live database.

Anything refused or unreachable raises CouldNotRead; the DSN's password never appears.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import psycopg

from trustctl import redaction
from trustctl.audit.live_check import CouldNotRead
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError
from trustctl.pg.connect import connect

READ_ONLY = "-c default_transaction_read_only=on"


class DatabaseReader:
    def __init__(self, dsn: Dsn, app_roles: tuple[str, ...], tenant_schemas: tuple[str, ...],
                 tenant_column: str) -> None:
        self._dsn = dsn
        self.app_roles = app_roles
        self.tenant_schemas = list(tenant_schemas)
        self.tenant_column = tenant_column
        self._lock = threading.Lock()
        self._conn: psycopg.Connection | None = None

    def describe(self) -> dict[str, Any]:
        return {"dsn": str(self._dsn), "app_roles": list(self.app_roles),
                "tenant_schemas": self.tenant_schemas, "tenant_column": self.tenant_column}

    @contextlib.contextmanager
    def session(self, what: str) -> Iterator[psycopg.Connection]:
        """The read-only connection, one check at a time; failures become CouldNotRead."""
        with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = connect(self._dsn, autocommit=True, options=READ_ONLY)
                yield self._conn
            except DependencyError as exc:
                raise CouldNotRead(f"{what}: {exc}") from None
            except psycopg.Error as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise CouldNotRead(f"{what}: {redaction.redact(first)}") from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
