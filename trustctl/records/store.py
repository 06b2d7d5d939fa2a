"""Where records live: a local directory or an S3 bucket with Object Lock. Append-only."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod

from trustctl.records.record import Period, Record, RecordError

S3_SCHEME = "s3://"


class RecordExistsError(RecordError):
    """A record of that name is already stored: records are never rewritten."""


class RecordStore(ABC):
    """Append-only storage of records (`open_store(location)` in trustctl/records/stores.py
    picks the kind from the location)."""

    @abstractmethod
    def check_writable(self) -> None:
        """Refuse, before hours of work, a store the record could not be written to."""

    @abstractmethod
    def write(self, record: Record) -> str:
        """Store `record`; returns where it went. Refuses (RecordExistsError) to overwrite."""

    @abstractmethod
    def _stored(self, kind: str | None) -> list[tuple[str, bytes]]:
        """(where, raw bytes) of every stored record of `kind` (all kinds for None)."""

    def read(self, kind: str | None = None, period: Period | None = None) -> list[Record]:
        """Records of `kind` started within `period`, oldest first; each hash checked."""
        records = []
        for where, raw in self._stored(kind):
            try:
                data = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                raise RecordError(f"{where}: not JSON (altered or truncated record)") from None
            record = Record.from_json(data, where)
            if (kind is None or record.kind == kind) and (
                    period is None or record.started_at in period):
                records.append(record)
        return sorted(records, key=lambda r: (r.started_at, r.id))


def encode(record: Record) -> bytes:
    """The stored form: pretty JSON for people; the hash is over the canonical form."""
    return (json.dumps(record.to_json(), indent=2, sort_keys=True) + "\n").encode()
