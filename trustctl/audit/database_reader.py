"""The database's facts, read over one read-only connection (default_transaction_read_only),
with the drill's own judgment (trustctl.pg.judgment): the same tenancy, posture rule and read
probe judge a restored backup and the live database, and give one verdict. The audit never
writes: tenant sessions are transactions that are READ ONLY and rolled back, and writes are
judged by posture only (the drill tries them, on its scratch copy).

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
from trustctl.audit.memo import Memo
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError
from trustctl.pg.connect import connect
from trustctl.pg.isolation import Isolation
from trustctl.pg.judgment import Assessment, assess, reads
from trustctl.pg.tenancy import Tenancy

READ_ONLY = "-c default_transaction_read_only=on"


class DatabaseReader:
    def __init__(self, dsn: Dsn, tenancy: Tenancy) -> None:
        self._dsn = dsn
        self.tenancy = tenancy
        self._lock = threading.RLock()
        self._conn: psycopg.Connection | None = None
        self._memo = Memo()

    @property
    def app_roles(self) -> tuple[str, ...]:
        return self.assessment().tenancy.app_roles

    def describe(self) -> dict[str, Any]:
        return {"dsn": str(self._dsn), "tenancy": self.tenancy.source,
                "app_roles": list(self.tenancy.app_roles),
                "tenant_schemas": list(self.tenancy.tenant_schemas)}

    def assessment(self) -> Assessment:
        """The judgment's tenancy and posture, read once however many checks ask."""
        def compute() -> Assessment:
            with self.session("tenancy and RLS posture") as conn:
                return assess(conn, self.tenancy)
        return self._memo.get("assessment", compute)

    def reads(self) -> Isolation:
        """The judgment's read probe, in read-only tenant sessions, once."""
        def compute() -> Isolation:
            assessment = self.assessment()
            with self.session("tenant isolation probe") as conn:
                return reads(conn, assessment)
        return self._memo.get("reads", compute)

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
