"""`backup run`: pg_dump -> zstd -> AES-256-GCM envelope -> S3 multipart, manifest last.

The stages overlap on the machine's cores: a thread reads pg_dump's pipe, zstd's own worker
thread compresses, this thread seals and hashes each record in one pass, and a few threads
upload parts (archive/store.py); the snapshot's counts and checksums run on their own
connection meanwhile. Every queue between them is bounded, so memory stays flat. (Feeding zstd
from a thread of its own as well measured the same, 1.05x, on a quiet machine: not kept.)

Compression: pg_dump writes its custom format uncompressed (-Z0) and zstandard compresses the
stream here: the embedded PostgreSQL's pg_dump is built without zstd/lz4, and gzip would be the
slowest stage. Counts and checksums are taken in the very snapshot pg_dump dumps
(pg_export_snapshot + --snapshot), by a role that bypasses RLS, so they match the dump exactly.
No plaintext touches the disk; memory is a few parts of 8 MiB whatever the database size.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
import zstandard

from trustctl import redaction
from trustctl.archive import inventory
from trustctl.archive.authenticity import seal
from trustctl.archive.binding import encryption_context, new_backup_id
from trustctl.archive.envelope import DataKey, Header, encrypt
from trustctl.archive.formats import (
    READ_SIZE,
    BackupFailed,
    CustomDump,
    DirectoryDump,
    DirectoryFormat,
    for_backup,
)
from trustctl.archive.keys import KeyUnusable, new_data_key
from trustctl.archive.manifest import Manifest, TableObject
from trustctl.archive.store import BackupStore, StoredObject
from trustctl.dsn import Dsn
from trustctl.errors import InputError
from trustctl.pg.connect import connect
from trustctl.pg.identity import server_identity
from trustctl.pg.tools import tool_version
from trustctl.progress import Progress

ZSTD_LEVEL = 3
# One libzstd worker thread: compression overlaps with reading pg_dump and sealing, instead of
# taking turns with them in this thread (same zstd frame format, same level).
ZSTD_WORKERS = 1
COMPRESSION = f"zstd:{ZSTD_LEVEL}"


@dataclass(frozen=True)
class BackupTarget:
    """Where a backup goes: the bucket (through its store) and the backup KMS key."""

    store: BackupStore
    kms: Any
    kms_key_id: str


def run_backup(source_dsn: Dsn, target: BackupTarget, *, quiet: bool = False, jobs: int = 1,
               work_dir: Path | None = None, excluded: tuple[str, ...] = (),
               dump_format: str | None = None) -> Manifest:
    """Takes one backup and returns its manifest (already stored, last, sealed by its MACs).

    `jobs` > 1 dumps in parallel through a temporary directory (see archive.formats.DirectoryDump);
    `dump_format` "directory" stores one object per table (default: custom, or directory-tar
    with `jobs` > 1);
    `excluded` schemas are left out of the dump and of the counts (and named in the manifest).
    """
    archive = for_backup(jobs, dump_format)
    started = datetime.now(UTC)
    backup_id = new_backup_id(started)
    store = target.store
    object_key = store.object_key(backup_id)
    context = encryption_context(backup_id, object_key, started.isoformat())
    retain_until = store.retain_until()
    progress = Progress(f"backup {backup_id}", quiet=quiet)
    try:
        key, wrapped, key_arn = new_data_key(target.kms, target.kms_key_id, context)
    except KeyUnusable as exc:
        raise BackupFailed(str(exc)) from None
    with key, connect(source_dsn) as conn:
        if not inventory.can_bypass_rls(conn):
            raise InputError("the backup role must be a superuser or have BYPASSRLS: under RLS "
                             "a dump and its row counts would silently miss rows")
        conn.rollback()
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_version = conn.execute("SHOW server_version").fetchone()[0]
        identity = server_identity(conn, source_dsn)
        roles = inventory.roles(conn)
        extensions = inventory.extensions(conn)
        stats = _StatsInBackground(conn, excluded)
        dump = archive.dumper(source_dsn, snapshot, jobs, work_dir, excluded)
        progress.say("dumping")
        sealing = _Sealing(store, key, Header.new(key_arn, wrapped, context), retain_until,
                           backup_id, started.isoformat())
        table_objects: list[TableObject] = []
        try:
            with progress.running():
                if isinstance(archive, DirectoryFormat):
                    stored, table_objects = _store_directory(dump, stats, progress, sealing)
                else:
                    stored = sealing.store_main(object_key, _dump_stream(dump, stats, progress))
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM (trustctl.signals)
            conn.cancel_safe()
            progress.say("interrupted: the multipart upload in progress was aborted and no "
                         "manifest was written: no backup was taken"
                         + (" (table objects already stored stay, in no manifest)"
                            if isinstance(archive, DirectoryFormat) else ""))
            raise
        except BaseException:
            conn.cancel_safe()  # stop the checksum queries too
            raise
        finally:
            dump.close()
            stats.join()
        conn.rollback()
        manifest = Manifest(
            backup_id=backup_id, source=str(source_dsn), started_at=started.isoformat(),
            finished_at=datetime.now(UTC).isoformat(), object_key=object_key,
            object_version=stored.version, object_bytes=stored.size,
            object_sha256=stored.sha256, dump_bytes=progress.bytes, kms_key_id=key_arn,
            wrapped_data_key=base64.b64encode(wrapped).decode(), encryption_context=context,
            compression=COMPRESSION, dump_format=archive.name, table_objects=table_objects,
            tool_version=f"trustctl {version('trustctl')}",
            pg_dump_version=tool_version("pg_dump"), server_version=server_version,
            tables=stats.result, roles=roles, retain_until=stored.retain_until,
            excluded_schemas=list(excluded), extensions=extensions, source_identity=identity,
        )
        seal(manifest, key)
    store.put_manifest(manifest, retain_until)
    progress.say(f"stored {stored.size:,} bytes, {len(manifest.tables)} tables, manifest written")
    return manifest


@dataclass(frozen=True)
class _Sealing:
    """How each object of one backup is sealed and stored: the data key, the main object's
    header, the retention; an object of its own gets a header bound to its own key."""

    store: BackupStore
    key: DataKey
    header: Header
    retain_until: datetime | None
    backup_id: str
    started_at: str

    def store_stream(self, object_key: str, plaintext: Iterable[bytes],
                     header: Header) -> StoredObject:
        return self.store.upload(object_key, encrypt(compress(plaintext), header, self.key),
                                 self.retain_until)

    def store_main(self, object_key: str, plaintext: Iterable[bytes]) -> StoredObject:
        """The backup's main object (dump.enc), under the header made for it."""
        return self.store_stream(object_key, plaintext, self.header)

    def store_table(self, object_key: str, plaintext: Iterable[bytes]) -> StoredObject:
        """A table's object: same data key, a fresh nonce prefix, its own key's context."""
        context = encryption_context(self.backup_id, object_key, self.started_at)
        header = Header.new(self.header.key_id, self.header.wrapped_key, context,
                            self.header.chunk_size)
        return self.store_stream(object_key, plaintext, header)


def _store_directory(dump: DirectoryDump, stats: _StatsInBackground, progress: Progress,
                     sealing: _Sealing) -> tuple[StoredObject, list[TableObject]]:
    """pg_dump -Fd to its end, the counts checked, then each table's file as an object of its
    own and toc.dat as the main object (last: it names every table)."""
    toc, *files = dump.files(progress)
    stats.check()  # nothing is stored unless the counts and checksums are complete
    objects = []
    for file in files:
        key = sealing.store.table_object_key(sealing.backup_id, file.name)
        counted = _Counted(_read_file(file.path))
        stored = sealing.store_table(key, progress.track(counted))
        objects.append(TableObject(file.name, file.table, key, stored.version, stored.size,
                                   stored.sha256, counted.bytes))
    return sealing.store_main(sealing.store.object_key(sealing.backup_id),
                         progress.track(_read_file(toc.path))), objects


class _Counted:
    """A stream that counts its bytes as it passes."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self.bytes = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.bytes += len(chunk)
            yield chunk


def _read_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        yield from iter(lambda: source.read(READ_SIZE), b"")


class _StatsInBackground:
    """Row counts and checksums computed in the exported snapshot while pg_dump streams."""

    def __init__(self, conn: psycopg.Connection, excluded: tuple[str, ...]) -> None:
        self.result: list[inventory.TableStats] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(conn, excluded), daemon=True)
        self._thread.start()

    def _run(self, conn: psycopg.Connection, excluded: tuple[str, ...]) -> None:
        try:
            # One process per scan: pg_dump's backend and zstd already keep the cores busy, so
            # parallel workers only add their coordination (8% more CPU at 512 MB); a single
            # scan still ends long before the dump (it hashes ~3x faster than zstd compresses).
            conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            self.result = inventory.all_table_stats(conn, excluded=excluded)
        except BaseException as exc:  # re-raised by the stream, in the caller's thread
            self.error = exc

    def join(self) -> None:
        self._thread.join()

    def check(self) -> None:
        """Waits for the stats; raises BackupFailed if they failed."""
        self.join()
        if self.error is not None:
            text = str(self.error).strip()
            reason = text.splitlines()[0] if text else type(self.error).__name__
            raise BackupFailed(f"row counts failed: {redaction.redact(reason)}")


def _dump_stream(dump: CustomDump | DirectoryDump, stats: _StatsInBackground,
                 progress: Progress) -> Iterator[bytes]:
    """The archive; fails (so the upload aborts) unless pg_dump and the stats succeed."""
    try:
        yield from dump.chunks(progress)
    except BackupFailed:
        stats.check()  # first: a failed query also voids the snapshot pg_dump needs
        raise
    stats.check()


def compress(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The stream as one zstd frame at ZSTD_LEVEL, compressed by libzstd's worker thread."""
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=ZSTD_WORKERS).compressobj()
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()
