"""Records in a local directory: one `<kind>-<id>.json` per record, mode 0640, never rewritten.

A record appears whole or not at all: it is written to a temporary file, synced, then linked
to its name (a link, unlike a rename, refuses to replace a record of that name), so a full
disk or a kill leaves no empty or half record to trip every later build. Writers of one
directory take turns (an flock on the directory) so two never claim the same place in a chain.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from trustctl.errors import InputError
from trustctl.records.record import Record
from trustctl.records.store import (
    Fetch,
    Problem,
    RecordExistsError,
    RecordStore,
    encode,
    writer_chain,
)

FILE_MODE = 0o640


class LocalRecordStore(RecordStore):
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __str__(self) -> str:
        return str(self.directory)

    @property
    def chain(self) -> str:
        return writer_chain(str(self.directory.resolve()))

    def check_writable(self) -> None:
        """Refuse up front a directory records could not be written to."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot use {self.directory} for records: {exc.strerror}") from None
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise InputError(f"cannot write records to {self.directory}: permission denied")

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.check_writable()
        try:  # the directory itself is locked: no lock file among the records
            fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise InputError(f"cannot lock {self.directory}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _put(self, record: Record) -> str:
        path = self.directory / record.name
        data = encode(record)
        temp = None
        try:
            fd, temp = tempfile.mkstemp(dir=self.directory, prefix=f".{record.name}.")
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), FILE_MODE)  # whatever the umask: owner and group only
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.link(temp, path)
        except FileExistsError:
            raise RecordExistsError(f"{path}: a record of that name exists; records are "
                                    "append-only and never rewritten") from None
        except OSError as exc:
            raise InputError(_write_error(path, exc, len(data))) from None
        finally:
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
        _sync_directory(self.directory)
        return str(path)

    def _stored(self, kind: str | None) -> tuple[list[tuple[str, Fetch]], list[Problem]]:
        if not self.directory.is_dir():
            return [], []
        pattern = f"{kind}-*.json" if kind else "*.json"
        return [(str(path), path.read_bytes)
                for path in sorted(self.directory.glob(pattern))], []


def _write_error(path: Path, exc: OSError, size: int) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        free = shutil.disk_usage(path.parent).free
        return (f"cannot write record {path}: no space left on the device ({free} bytes free, "
                f"the record needs {size}); nothing was written: free space and run again")
    return f"cannot write record {path}: {exc.strerror}"


def _sync_directory(directory: Path) -> None:
    """Make the new name itself durable (a crash after link could otherwise lose it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
