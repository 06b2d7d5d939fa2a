"""Reading a backup back: object -> SHA-256 -> authenticated decryption -> decompression.

One streaming pass, shared by `backup verify` and the drill's restore. It reads to the very end
(a truncated custom-format dump still lists fine, its table of contents being at the front)
and only then compares size and SHA-256 with the manifest; the AEAD stream guarantees no
unauthenticated byte is ever yielded before that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import zstandard

from trustctl.archive.envelope import EnvelopeError, read_header
from trustctl.archive.envelope import decrypt as open_stream
from trustctl.archive.keys import KeySource, ManifestKey, unwrap
from trustctl.archive.manifest import Manifest
from trustctl.archive.store import BackupStore
from trustctl.errors import FindingError


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
    """
    body, progress.version_id = store.open_object(manifest.object_key, manifest.object_version)
    source = _HashingReader(body, progress)
    try:
        yield from _decrypted(source, kms, manifest, progress, keys or ManifestKey())
    except EnvelopeError as exc:
        raise IntegrityError(str(exc)) from None
    except zstandard.ZstdError as exc:
        raise IntegrityError(f"compressed dump is corrupt: {exc}") from None
    finally:
        body.close()
    progress.sha256 = source.hexdigest()
    _compare(manifest, progress)


def _decrypted(source: BinaryIO, kms: Any, manifest: Manifest, progress: ReadProgress,
               keys: KeySource) -> Iterator[bytes]:
    header, header_bytes = read_header(source)
    if header.wrapped_key != manifest.wrapped_key_bytes:
        raise IntegrityError("the object's wrapped data key differs from the manifest's")
    context = manifest.expected_context()
    header.check_context(context)
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    with unwrap(kms, keys.key_id(manifest), keys.wrapped(manifest, header.wrapped_key),
                context) as key:
        for chunk in open_stream(source, header, header_bytes, key):
            plain = decompressor.decompress(chunk)
            progress.dump_bytes += len(plain)
            if plain:
                yield plain
    if not decompressor.eof:
        raise IntegrityError("compressed dump ends early")


def _compare(manifest: Manifest, progress: ReadProgress) -> None:
    if progress.object_bytes != manifest.object_bytes:
        raise IntegrityError(f"object is {progress.object_bytes} bytes, manifest says "
                             f"{manifest.object_bytes}")
    if progress.sha256 != manifest.object_sha256:
        raise IntegrityError("object SHA-256 does not match the manifest")
    if progress.dump_bytes != manifest.dump_bytes:
        raise IntegrityError(f"dump is {progress.dump_bytes} bytes, manifest says "
                             f"{manifest.dump_bytes}")

