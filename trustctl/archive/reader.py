"""Reading a backup back: object -> SHA-256 -> authenticated decryption -> decompression.

One streaming pass, shared by `backup verify` and the drill's restore. It reads to the very end
(a truncated custom-format dump still lists fine, its table of contents being at the front)
and only then compares size and SHA-256 with the manifest; the AEAD stream guarantees no
unauthenticated byte is ever yielded before that. A `directory` backup (one object per table)
is read object after object under the one data key, each bound to its own key by its header's
encryption context and to its manifest entry by size and SHA-256, so a swapped, replaced or
missing table object fails naming it; they come out as one tar stream, which the directory
formats unpack.
"""

from __future__ import annotations

import hashlib
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import zstandard
from botocore.exceptions import ClientError

from trustctl.archive.binding import encryption_context
from trustctl.archive.envelope import DataKey, EnvelopeError, Header, read_header
from trustctl.archive.envelope import decrypt as open_stream
from trustctl.archive.formats import TOC_FILE
from trustctl.archive.keys import KeySource, ManifestKey, unwrap
from trustctl.archive.manifest import Manifest, TableObject
from trustctl.archive.store import BackupStore, error_code
from trustctl.errors import FindingError

DIRECTORY = "directory"
TABLE_OBJECTS = "table_objects"
TAR_BLOCK = 512


class IntegrityError(FindingError):
    """The stored backup is not what its manifest says (tampered, truncated, mismatched)."""


@dataclass
class ReadProgress:
    """What was read so far; filled in as the stream goes, complete when it ends cleanly."""

    object_key: str
    version_id: str | None = None
    object_bytes: int = 0
    sha256: str = ""
    dump_bytes: int = 0


class _HashingReader:
    """A file-like view of the S3 body that hashes and counts what passes through."""

    def __init__(self, body: Any, progress: ReadProgress) -> None:
        self._body = body
        self._digest = hashlib.sha256()
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._body.read(size)
        self._digest.update(data)
        self._progress.object_bytes += len(data)
        return data

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def read_dump(store: BackupStore, kms: Any, manifest: Manifest, progress: ReadProgress,
              keys: KeySource | None = None) -> Iterator[bytes]:
    """Yields the plaintext pg_dump archive; raises IntegrityError on any mismatch.

    `keys` says which key unwraps the data key where `store` is (default: the manifest's).
    A `directory` backup comes out as a tar stream of its files (toc.dat from the main object,
    then each table's object), each checked against the manifest before its last byte.
    """
    keys = keys or ManifestKey()
    if manifest.dump_format == DIRECTORY:
        yield from _directory(store, kms, manifest, progress, keys)
        return
    body, progress.version_id = store.open_object(manifest.object_key, manifest.object_version)
    source = _HashingReader(body, progress)
    try:
        header, header_bytes = _header(source, manifest, manifest.expected_context())
        with unwrap(kms, keys.key_id(manifest), keys.wrapped(manifest, header.wrapped_key),
                    manifest.expected_context()) as key:
            for plain in _plaintext(source, header, header_bytes, key):
                progress.dump_bytes += len(plain)
                yield plain
    except EnvelopeError as exc:
        raise IntegrityError(str(exc)) from None
    finally:
        body.close()
    progress.sha256 = source.hexdigest()
    _compare(manifest, progress)


def _header(source: BinaryIO, manifest: Manifest,
            context: dict[str, str]) -> tuple[Header, bytes]:
    header, header_bytes = read_header(source)
    if header.wrapped_key != manifest.wrapped_key_bytes:
        raise IntegrityError("the object's wrapped data key differs from the manifest's")
    header.check_context(context)
    return header, header_bytes


def _plaintext(source: BinaryIO, header: Header, header_bytes: bytes,
               key: DataKey) -> Iterator[bytes]:
    """The authenticated, decompressed content of one envelope."""
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    try:
        for chunk in open_stream(source, header, header_bytes, key):
            if plain := decompressor.decompress(chunk):
                yield plain
    except zstandard.ZstdError as exc:
        raise IntegrityError(f"compressed dump is corrupt: {exc}") from None
    if not decompressor.eof:
        raise IntegrityError("compressed dump ends early")


def _directory(store: BackupStore, kms: Any, manifest: Manifest, progress: ReadProgress,
               keys: KeySource) -> Iterator[bytes]:
    """A `directory` backup as a tar stream: every object authenticated under the one data key,
    bound to its own key by its header's context and to the manifest by size and SHA-256."""
    if TABLE_OBJECTS not in manifest.fields():
        raise IntegrityError("the manifest of a directory backup lists no table objects")
    toc = TableObject(TOC_FILE, None, manifest.object_key, manifest.object_version,
                      manifest.object_bytes, manifest.object_sha256,
                      manifest.dump_bytes - sum(o.dump_bytes for o in manifest.table_objects))
    context = manifest.expected_context()
    with unwrap(kms, keys.key_id(manifest), keys.wrapped(manifest, manifest.wrapped_key_bytes),
                context) as key:
        for number, entry in enumerate([toc, *manifest.table_objects]):
            read = ReadProgress(entry.key)
            yield _tar_header(entry)
            for plain in _object(store, manifest, entry, key, read):
                progress.dump_bytes += len(plain)
                yield plain
            yield bytes(-entry.dump_bytes % TAR_BLOCK)
            if number == 0:
                progress.version_id, progress.object_bytes = read.version_id, read.object_bytes
                progress.sha256 = read.sha256
    yield bytes(2 * TAR_BLOCK)
    _compare(manifest, progress)


def _object(store: BackupStore, manifest: Manifest, entry: TableObject, key: DataKey,
            read: ReadProgress) -> Iterator[bytes]:
    """One object of a directory backup, checked against its manifest entry."""
    try:
        body, read.version_id = store.open_object(entry.key, entry.version)
    except ClientError as exc:
        if error_code(exc) in ("NoSuchKey", "NoSuchVersion", "404"):
            raise IntegrityError(f"object {entry.label} is missing from the bucket "
                                 f"({entry.key})") from None
        raise
    source = _HashingReader(body, read)
    try:
        context = encryption_context(manifest.backup_id, entry.key, manifest.started_at)
        header, header_bytes = _header(source, manifest, context)
        for plain in _plaintext(source, header, header_bytes, key):
            read.dump_bytes += len(plain)
            if read.dump_bytes > entry.dump_bytes:
                raise IntegrityError(f"object {entry.label} holds more than the manifest's "
                                     f"{entry.dump_bytes} bytes")
            yield plain
    except EnvelopeError as exc:
        raise IntegrityError(f"object {entry.label}: {exc}") from None
    finally:
        body.close()
    read.sha256 = source.hexdigest()
    if (read.object_bytes, read.sha256, read.dump_bytes) != (entry.bytes, entry.sha256,
                                                             entry.dump_bytes):
        raise IntegrityError(f"object {entry.label} is not the one the manifest names (size or "
                             "SHA-256 differs): swapped, replaced or truncated")


def _tar_header(entry: TableObject) -> bytes:
    info = tarfile.TarInfo(entry.file)
    info.size, info.mode = entry.dump_bytes, 0o600
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _compare(manifest: Manifest, progress: ReadProgress) -> None:
    if progress.object_bytes != manifest.object_bytes:
        raise IntegrityError(f"object is {progress.object_bytes} bytes, manifest says "
                             f"{manifest.object_bytes}")
    if progress.sha256 != manifest.object_sha256:
        raise IntegrityError("object SHA-256 does not match the manifest")
    if progress.dump_bytes != manifest.dump_bytes:
        raise IntegrityError(f"dump is {progress.dump_bytes} bytes, manifest says "
                             f"{manifest.dump_bytes}")
