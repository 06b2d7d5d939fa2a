"""Records in a local directory: one `<kind>-<id>.json` per record, mode 0640, never rewritten."""

from __future__ import annotations

import os
from pathlib import Path

from trustctl.errors import InputError
from trustctl.records.record import Record
from trustctl.records.store import RecordExistsError, RecordStore, encode

FILE_MODE = 0o640


class LocalRecordStore(RecordStore):
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __str__(self) -> str:
        return str(self.directory)

    def check_writable(self) -> None:
        """Refuse up front a directory records could not be written to."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot use {self.directory} for records: {exc.strerror}") from None
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise InputError(f"cannot write records to {self.directory}: permission denied")

    def write(self, record: Record) -> str:
        self.check_writable()
        path = self.directory / record.name
        try:  # O_EXCL: the file is created by this call or not at all, never overwritten
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            raise RecordExistsError(f"{path}: a record of that name exists; records are "
                                    "append-only and never rewritten") from None
        except OSError as exc:
            raise InputError(f"cannot write record {path}: {exc.strerror}") from None
        with os.fdopen(fd, "wb") as out:
            os.fchmod(fd, FILE_MODE)  # whatever the umask: readable by owner and group only
            out.write(encode(record))
            out.flush()
            os.fsync(fd)
        return str(path)

    def _stored(self, kind: str | None) -> list[tuple[str, bytes]]:
        if not self.directory.is_dir():
            return []
        pattern = f"{kind}-*.json" if kind else "*.json"
        return [(str(p), p.read_bytes()) for p in sorted(self.directory.glob(pattern))]
