"""Seed a server with Claver's multi-tenant schema and deterministic data of a chosen size.

Data is generated inside Postgres (generate_series in data.sql), in batches of tenants loaded
by a few connections in parallel with a progress line per batch, so gigabytes load in minutes;
the same size always yields the same rows.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import psycopg
from psycopg import sql

from trustctl.errors import InputError
from trustctl.pg.server import LocalPostgres

DATABASE = "claver"
APP_ROLE = "claver_app"
OWNER_ROLE = "claver_owner"
SIZES_MB = {"small": 16, "medium": 512, "large": 4096}
MB_PER_TENANT = 0.5  # measured: (database size - BASE_MB) / tenants, keys and indexes included
TENANTS_PER_BATCH = 40
MAX_PROGRESS_LINES = 100
MAX_WORKERS = 4
MIN_TENANTS = 3
BASE_MB = 8  # an empty database with the schema
MAX_SIZE_MB = 64 * 1024


def size_mb(size: str | None = None, mb: int | None = None) -> int:
    """The target size in MB from a named size or an explicit number of MB (which wins)."""
    if mb is not None:
        if not 1 <= mb <= MAX_SIZE_MB:
            raise InputError(f"--size-mb must be between 1 and {MAX_SIZE_MB}, not {mb}")
        return mb
    name = size or "small"
    if name not in SIZES_MB:
        raise InputError(f"--size must be one of {', '.join(SIZES_MB)}, not {name!r}")
    return SIZES_MB[name]


def tenant_count(target_mb: int) -> int:
    """How many tenants make a database of about `target_mb` MB."""
    return max(MIN_TENANTS, math.ceil((target_mb - BASE_MB) / MB_PER_TENANT))


def tenant_id(number: int) -> uuid.UUID:
    """tenant_id of tenant `number` (1-based), as data.sql derives it."""
    return uuid.UUID(hashlib.md5(f"tenant:{number}:0".encode()).hexdigest())


def seed(pg: LocalPostgres, target_mb: int, progress: Callable[[str], None],
         workers: int | None = None) -> str:
    """Create roles, database, schema and data on `pg`; return claver_app's generated password.

    Tenants are loaded by `workers` connections in parallel (default: one per CPU, up to 4).
    """
    app_password = secrets.token_urlsafe(24)
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(_sql("roles.sql"))
        set_password(conn, APP_ROLE, app_password)
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(DATABASE), sql.Identifier(OWNER_ROLE)))
    with psycopg.connect(pg.dsn(DATABASE), autocommit=True) as conn:
        conn.execute(_sql("schema.sql"))
    _load_tenants(pg, tenant_count(target_mb), progress,
                  workers or min(os.cpu_count() or 1, MAX_WORKERS))
    progress("adding keys and indexes")
    with psycopg.connect(pg.dsn(DATABASE), autocommit=True) as conn:
        conn.execute(_sql("keys.sql"))
        conn.execute("ANALYZE")
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    progress(f"database {DATABASE} seeded: {size / 2**20:.0f} MB")
    return app_password


def set_password(conn: psycopg.Connection, role: str, password: str) -> None:
    """Sends a SCRAM verifier, not the password: nothing the server logs can reveal it."""
    verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(),
                                            b"scram-sha-256").decode()
    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role),
                                                             sql.Literal(verifier)))


class _Tally:
    """Counts loaded tenants across workers and reports each step."""

    def __init__(self, total: int, progress: Callable[[str], None]) -> None:
        self.total, self.done, self._progress = total, 0, progress
        self._lock = threading.Lock()

    def add(self, tenants: int) -> None:
        with self._lock:
            self.done += tenants
            self._progress(f"seeded {self.done} of {self.total} tenants "
                           f"({100 * self.done // self.total}%)")


def _load_tenants(pg: LocalPostgres, tenants: int, progress: Callable[[str], None],
                  workers: int) -> None:
    """Split tenants into batches; each worker takes every n-th batch on its own connection."""
    size = max(TENANTS_PER_BATCH, math.ceil(tenants / MAX_PROGRESS_LINES))
    batches = [(first, min(first + size - 1, tenants)) for first in range(1, tenants + 1, size)]
    workers = max(1, min(workers, len(batches)))
    tally, stop = _Tally(tenants, progress), threading.Event()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="seed")
    try:
        shares = [pool.submit(_load_share, pg, batches[i::workers], tally, stop)
                  for i in range(workers)]
        for share in shares:
            share.result()
    finally:
        stop.set()  # on failure or interruption the other workers end after their batch
        pool.shutdown(wait=False, cancel_futures=True)


def _load_share(pg: LocalPostgres, batches: list[tuple[int, int]], tally: _Tally,
                stop: threading.Event) -> None:
    with psycopg.connect(pg.dsn(DATABASE), autocommit=True) as conn:
        conn.execute(_sql("data.sql"))  # pg_temp functions: one set per session
        for first, last in batches:
            if stop.is_set():
                return
            conn.execute("SELECT pg_temp.seed_tenants(%s, %s)", (first, last))
            tally.add(last - first + 1)


def _sql(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text()
