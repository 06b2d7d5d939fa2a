"""The dump formats of a stored backup; each owns how it is dumped, read to its end and restored.

`custom` (default): `pg_dump -Fc -Z0` streams to a pipe; nothing touches the disk.
`directory-tar` (`--jobs N`) and `directory` (`--dump-format directory`, one stored object per
file of the dump, i.e. per table): `pg_dump -Fd -j N` is faster on large databases, but parallel
dumps can only write files: the whole uncompressed dump sits, in plaintext, in a temporary
directory of the backup host (size of the data, deleted as soon as it has been streamed), and
the stream starts only once the dump is finished (`tar` of the directory). Use it on an
encrypted volume with room for the dump (--work-dir).
Both dump the exported snapshot, so counts and checksums match either way.
`verify_reader` reads an archive to its end without a database; `unpack` puts it where a
parallel `pg_restore -j` can read it (a file or a directory: pg_restore -j cannot read a pipe).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from trustctl.archive.pipeline import ahead
from trustctl.dsn import Dsn
from trustctl.errors import FindingError, InputError, TrustctlError
from trustctl.pg.tools import ToolProcess
from trustctl.progress import Progress

READ_SIZE = 1 << 20
PREFETCH_CHUNKS = 8


class BackupFailed(TrustctlError):
    """The backup could not be completed; nothing usable was left in the bucket."""


class ArchiveUnreadable(FindingError):
    """The manifest names an unknown format, or the archive does not unpack."""


def _stream(tool: ToolProcess, progress: Progress) -> Iterator[bytes]:
    yield from progress.track(_prefetched(tool.process.stdout))
    if tool.wait() != 0:
        raise BackupFailed(f"{tool.name} failed: {tool.reason()}")


def _prefetched(stdout: BinaryIO) -> Iterator[bytes]:
    """Reads the pipe in a thread, a few chunks ahead, so pg_dump never waits for zstd.

    Without it pg_dump blocks on a full pipe (64 KiB) while a 1 MiB chunk compresses, and the
    two take turns instead of running side by side.
    """
    widen_pipe(stdout)
    return ahead(iter(lambda: stdout.read(READ_SIZE), b""), PREFETCH_CHUNKS, "dump-reader")


def widen_pipe(pipe: BinaryIO) -> None:
    """Grows a pipe's kernel buffer from 64 KiB to READ_SIZE (Linux's F_SETPIPE_SZ).

    One read then drains what pg_dump wrote in many small writes, instead of both sides waking
    each other every 64 KiB: at 512 MB, half the context switches and about 0.1 CPU-s less for
    the reader and pg_dump. Best effort: where the kernel refuses (a per-user pipe quota, another
    OS) the pipe works as before, only slower.
    """
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, READ_SIZE)


def selection(snapshot: str, excluded: tuple[str, ...]) -> list[str]:
    """What pg_dump dumps: the exported snapshot, without the excluded schemas."""
    return [f"--snapshot={snapshot}", *(f"--exclude-schema={name}" for name in excluded)]


class CustomDump:
    """pg_dump's custom format, uncompressed, straight from its stdout."""

    def __init__(self, dsn: Dsn, snapshot: str, excluded: tuple[str, ...] = ()) -> None:
        self.tool = ToolProcess("pg_dump", ["-Fc", "-Z0", *selection(snapshot, excluded)], dsn,
                                stdout=subprocess.PIPE)

    def chunks(self, progress: Progress) -> Iterator[bytes]:
        return _stream(self.tool, progress)

    def close(self) -> None:
        self.tool.kill()


class DirectoryDump:
    """`pg_dump -Fd -j N` into a temporary directory, then streamed as a tar archive."""

    def __init__(self, dsn: Dsn, snapshot: str, jobs: int, work_dir: Path | None,
                 excluded: tuple[str, ...] = ()) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="trustctl-backup-", dir=work_dir))
        self.root.chmod(0o700)
        self.dsn, self.jobs = dsn, jobs
        self.selection = selection(snapshot, excluded)
        self.tools: list[ToolProcess] = []

    def chunks(self, progress: Progress) -> Iterator[bytes]:
        target = self.dump(progress)
        tar = self._start("tar", ["-C", str(target), "-cf", "-", "."], None, program="tar",
                          stdout=subprocess.PIPE)
        yield from _stream(tar, progress)

    def dump(self, progress: Progress) -> Path:
        """Runs pg_dump -Fd -j N to its end; returns the directory it wrote."""
        target = self.root / "dump"
        args = ["-Fd", "-Z0", f"-j{self.jobs}", *self.selection, "-f", str(target)]
        dump = self._start("pg_dump", args, self.dsn)
        progress.say(f"dumping with {self.jobs} jobs into {target}")
        if dump.wait() != 0:
            raise BackupFailed(f"pg_dump failed: {dump.reason()}")
        return target

    def files(self, progress: Progress) -> list[DumpedFile]:
        """Runs the dump; returns its files, toc.dat first, each with the table it holds."""
        target = self.dump(progress)
        listing = self._start("pg_restore", ["-l", str(target)], None, stdout=subprocess.PIPE)
        toc = listing.process.stdout.read().decode()
        if listing.wait() != 0:
            raise BackupFailed(f"pg_restore cannot list the dump: {listing.reason()}")
        tables = {f"{match['id']}.dat": f"{match['schema']}.{match['table']}"
                  for match in _TABLE_DATA.finditer(toc)}
        names = sorted(p.name for p in target.iterdir() if p.name != TOC_FILE)
        return [DumpedFile(TOC_FILE, target / TOC_FILE, None),
                *(DumpedFile(name, target / name, tables.get(name)) for name in names)]

    def _start(self, name: str, args: list[str], dsn: Dsn | None, **kwargs) -> ToolProcess:
        tool = ToolProcess(name, args, dsn, **kwargs)
        self.tools.append(tool)
        return tool

    def close(self) -> None:
        for tool in self.tools:
            tool.kill()
        shutil.rmtree(self.root, ignore_errors=True)


TOC_FILE = "toc.dat"
_TABLE_DATA = re.compile(r"^(?P<id>\d+); \d+ \d+ TABLE DATA (?P<schema>\S+) (?P<table>\S+) ",
                         re.MULTILINE)


@dataclass(frozen=True)
class DumpedFile:
    """One file of a directory-format dump, and the table whose rows it holds (None: toc)."""

    name: str
    path: Path
    table: str | None


class CustomFormat:
    """pg_dump's custom format: one stream, restored straight from a pipe with one job."""

    name = "custom"

    def dumper(self, dsn: Dsn, snapshot: str, jobs: int, work_dir: Path | None,
               excluded: tuple[str, ...] = ()) -> CustomDump:
        return CustomDump(dsn, snapshot, excluded)

    def verify_reader(self) -> ToolProcess:
        """pg_restore turns the whole archive into SQL thrown away: it parses every table's data."""
        return ToolProcess("pg_restore", ["-f", os.devnull], None, stdin=subprocess.PIPE)

    def restores_from_stream(self, jobs: int) -> bool:
        return jobs <= 1

    def unpack(self, plaintext: Iterable[bytes], workspace: Path) -> Path:
        path = workspace / "dump.custom"
        with path.open("wb") as out:
            for chunk in plaintext:
                out.write(chunk)
        return path


class DirectoryTarFormat:
    """`pg_dump -Fd -j N` as a tar stream: read by `tar -t`, restored from its unpacked folder."""

    name = "directory-tar"

    def dumper(self, dsn: Dsn, snapshot: str, jobs: int, work_dir: Path | None,
               excluded: tuple[str, ...] = ()) -> DirectoryDump:
        return DirectoryDump(dsn, snapshot, jobs, work_dir, excluded)

    def verify_reader(self) -> ToolProcess:
        return ToolProcess("tar", ["-tf", "-"], None, stdin=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, program="tar")

    def restores_from_stream(self, jobs: int) -> bool:
        return False

    def unpack(self, plaintext: Iterable[bytes], workspace: Path) -> Path:
        path = workspace / "dump"
        path.mkdir()
        tar = ToolProcess("tar", ["-C", str(path), "-xf", "-"], None, stdin=subprocess.PIPE,
                          program="tar")
        tar.feed(plaintext)
        if tar.wait() != 0:
            raise ArchiveUnreadable(f"the directory archive does not unpack: {tar.reason()}")
        return path


class DirectoryFormat(DirectoryTarFormat):
    """`pg_dump -Fd -j N`, one stored object per file (per table): the reader hands the
    authenticated files on as a tar stream, so it verifies and unpacks as directory-tar does."""

    name = "directory"


DumpFormat = CustomFormat | DirectoryTarFormat | DirectoryFormat
FORMATS: dict[str, DumpFormat] = {
    f.name: f for f in (CustomFormat(), DirectoryTarFormat(), DirectoryFormat())}


def for_backup(jobs: int, name: str | None = None) -> DumpFormat:
    """The format a backup is written in: `name` if given, else custom for one job and
    directory-tar for parallel jobs."""
    if name is None:
        name = "directory-tar" if jobs > 1 else "custom"
    if name not in FORMATS:
        raise InputError(f"unknown dump format {name!r}: one of {', '.join(FORMATS)}")
    return FORMATS[name]


def dump_format(name: str) -> DumpFormat:
    """The format a manifest names; an unknown one is a finding about that backup."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ArchiveUnreadable(f"unknown dump format {name!r} in the manifest") from None
