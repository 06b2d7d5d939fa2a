"""Who read customer data in the database: its own log (csvlog or jsonlog files, `--database-log`).

The server logs reads when it is told to: pgaudit (`pgaudit.log = 'read'`, with
`pgaudit.log_relation = on` for one line per table, `AUDIT: SESSION,...,READ,SELECT,TABLE,
public.jobs,...`) names each table read (a line without one: the tables its statement names);
without it,
`log_statement = 'all'` logs each statement (`statement: ...`, `execute <name>: ...`), and a
statement counts as a read of customer data when it reads (SELECT, WITH, TABLE, COPY ... TO) and
names a tenant table after FROM, JOIN, TABLE or COPY; a statement the server then refused
(SQLSTATE 42501) counts as denied, one that failed otherwise as nothing. `log_connections`
lines count each principal's sessions. Only the structured formats are read: a plain stderr
log's layout depends on log_line_prefix, so it cannot be read reliably.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trustctl.access_review.data_reads import Period, Reads
from trustctl.access_review.database import TenantTables, tenant_table_names
from trustctl.access_review.inventory import Inventory
from trustctl.access_review.progress import QUIET, Progress
from trustctl.dsn import Dsn
from trustctl.errors import InputError
from trustctl.pg.connect import connect

SOURCE = "database-log"
# csvlog's columns (PostgreSQL 14+; later versions only append)
CSV_COLUMNS = ("timestamp", "user", "dbname", "pid", "remote_host", "session_id", "line_num",
               "ps", "session_start", "vxid", "txid", "error_severity", "state_code",
               "message", "detail", "hint", "internal_query", "internal_position", "context",
               "statement")
DENIED = "42501"
_STATEMENT = re.compile(r"^(?:statement|execute [^:]*): (.*)$", re.DOTALL)
_READS = re.compile(r"^\s*(?:\(\s*)*(select|with|table|copy)\b", re.IGNORECASE)
_NAMED = re.compile(r"\b(?:from|join|table|copy)\s+((?:[a-z_][\w$]*\.)?[a-z_][\w$]*)",
                    re.IGNORECASE)
_OFFSET = re.compile(r"^([+-])(\d\d):?(\d\d)?$")


@dataclass
class Pending:
    """A reading statement logged and not yet known to have succeeded (a refusal follows it
    in the same session)."""

    reads: Reads
    tables: list[str]
    when: str
    session: str


@dataclass
class LogReads:
    """Per principal reads of tenant tables in the period, from the database's log files."""

    reads: list[Reads] = field(default_factory=list)
    connections: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        """Per principal that read or connected: its reads by table, and its connections."""
        by = {r.principal: r for r in self.reads}
        return [{**by.get(p, Reads(p)).to_json("tables"), "connections": self.connections.get(p, 0)}
                for p in sorted(set(by) | set(self.connections))]


def collect(dsn: Dsn, tables: TenantTables, logs: tuple[Path, ...], period: Period,
            inventory: Inventory, progress: Progress = QUIET) -> LogReads:
    """The reads of tenant tables in `logs`, for the database `dsn` names."""
    found = LogReads(files=[str(p) for p in logs])
    with inventory.reading(SOURCE, f"the tenant tables of {dsn}"):
        with connect(dsn, autocommit=True,
                     options="-c default_transaction_read_only=on") as conn:
            database = conn.info.dbname
            names = tenant_table_names(conn, tables)
        counter = _Counter(database, _table_index(names, tables.schemas), period)
        for path in logs:
            with inventory.reading(SOURCE, f"log file {path}"):
                for line in _lines(path):
                    counter.take(line)
                progress.say(f"database log {path}: read")
        found.reads, found.connections = counter.done()
        inventory.sources.setdefault(SOURCE, "read")
    return found


def _table_index(names: list[str], schemas: tuple[str, ...]) -> dict[str, str]:
    """`schema.table` and the bare `table` (for the first schema that has it) -> `schema.table`."""
    index = {name.lower(): name for name in names}
    for schema in reversed(schemas):
        index.update({name.split(".", 1)[1].lower(): name for name in names
                      if name.startswith(f"{schema}.")})
    return index


class _Counter:
    """Reads per principal, one log line at a time (lines of one session arrive in order)."""

    def __init__(self, database: str, tables: dict[str, str], period: Period) -> None:
        self.database, self.tables, self.period = database, tables, period
        self.by_principal: dict[str, Reads] = {}
        self.connections: dict[str, int] = {}
        self.pending: dict[str, Pending] = {}
        self.audited: set[str] = set()  # sessions pgaudit logs: its lines count, not statements

    def take(self, line: dict[str, Any]) -> None:
        when = _parse_time(line.get("timestamp"))
        user, message = line.get("user") or "", str(line.get("message") or "")
        if not user or line.get("dbname") != self.database or when is None or \
                not self.period.start <= when <= self.period.end:
            return
        principal, session = f"postgres:{user}", str(line.get("session_id") or "")
        stamp = when.isoformat(timespec="seconds")
        if message.startswith("connection authorized:"):
            self.connections[principal] = self.connections.get(principal, 0) + 1
        elif message.startswith("AUDIT: "):
            self._audited(principal, session, message, stamp)
        elif (match := _STATEMENT.match(message)) and session not in self.audited:
            self._commit(session)
            tables = self._tables_read(match.group(1))
            if tables:
                self.pending[session] = Pending(self._reads(principal), tables, stamp, session)
        elif line.get("error_severity") in ("ERROR", "FATAL") and session in self.pending:
            refused = self.pending.pop(session)
            if line.get("state_code") == DENIED:
                refused.reads.denied += 1

    def done(self) -> tuple[list[Reads], dict[str, int]]:
        for session in list(self.pending):
            self._commit(session)
        return ([self.by_principal[p] for p in sorted(self.by_principal)],
                dict(sorted(self.connections.items())))

    def _audited(self, principal: str, session: str, message: str, stamp: str) -> None:
        """A pgaudit line: `AUDIT: SESSION|OBJECT,id,sub,CLASS,COMMAND,TYPE,NAME,statement,..`"""
        self.audited.add(session)
        self.pending.pop(session, None)  # the statement line before it is the same read
        fields = next(csv.reader([message.removeprefix("AUDIT: ")]), [])
        if len(fields) < 8 or fields[3] != "READ":
            return
        named = self.tables.get(fields[6].lower()) if fields[6] else None
        tables = [named] if named else ([] if fields[6] else self._tables_read(fields[7]))
        for table in tables:
            self._reads(principal).read(table, table, stamp, session)

    def _tables_read(self, statement: str) -> list[str]:
        """The tenant tables a reading statement names (none for one that does not read)."""
        text = statement.replace('"', "")
        if not _READS.match(text) or (text.lstrip().lower().startswith("copy")
                                      and not re.search(r"\bto\b", text, re.IGNORECASE)):
            return []
        named = {self.tables.get(name.lower()) for name in _NAMED.findall(text)}
        return sorted(name for name in named if name)

    def _commit(self, session: str) -> None:
        done = self.pending.pop(session, None)
        if done is not None:
            for table in done.tables:
                done.reads.read(table, table, done.when, done.session)

    def _reads(self, principal: str) -> Reads:
        return self.by_principal.setdefault(principal, Reads(principal))


def check_files(paths: tuple[Path, ...]) -> None:
    """Bad input before anything is read: only csvlog and jsonlog files can be read."""
    for path in paths:
        if path.suffix not in (".json", ".csv"):
            raise InputError(f"--database-log {path}: give a csvlog (.csv) or jsonlog (.json) "
                             "file (log_destination = 'csvlog' or 'jsonlog'); a plain log's "
                             "layout depends on log_line_prefix")


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    """The log's entries as jsonlog names their fields, from a .json or .csv log file."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        if path.suffix == ".csv":
            for row in csv.reader(handle):
                yield dict(zip(CSV_COLUMNS, row, strict=False))
            return
        for number, text in enumerate(handle, 1):
            try:
                entry = json.loads(text) if text.strip() else None
            except ValueError:
                raise InputError(f"{path}: line {number} is not a jsonlog entry") from None
            if isinstance(entry, dict):
                yield entry


def _parse_time(text: str | None) -> datetime | None:
    """`2026-12-02 01:50:00.123 UTC` (log_timezone's name or offset) as an aware datetime."""
    if not text:
        return None
    stamp, _, zone = text.rpartition(" ")
    try:
        naive = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        return None
    return naive.replace(tzinfo=_zone(zone)).astimezone(UTC)


def _zone(name: str) -> timezone | ZoneInfo:
    if name in ("UTC", "GMT"):
        return UTC
    offset = _OFFSET.match(name)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(offset.group(2)),
                                         minutes=int(offset.group(3) or 0)))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"the database log's time zone {name!r} is ambiguous: set "
                         "log_timezone = 'UTC' on the server") from None
