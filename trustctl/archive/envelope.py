"""A chunked AEAD stream: AES-256-GCM envelope encryption that never holds the whole payload.

Why chunked: a backup is far larger than memory and must be decrypted while it streams into
`pg_restore`, yet no unauthenticated byte may reach it. Each chunk is sealed on its own with a
nonce `prefix || counter`; its index and a final flag are in the associated data, together with
the SHA-256 of the header (version, key id, wrapped data key, encryption-context hash, nonce
prefix). So a flipped byte fails that chunk, a reordered or dropped chunk fails on its index, a
truncated stream lacks its final chunk, and trailing bytes after the final chunk are refused.

Layout: MAGIC | u32 header length | header JSON | records. A record is u32 sealed length |
sealed bytes (ciphertext + 16-byte tag). The plaintext data key is held in a `DataKey`
(a bytearray zeroed after use) and never logged. It is never used as a key itself: HKDF-SHA256
derives one key per purpose from it (the chunks' AES-GCM key here, the manifest's MAC key in
archive/authenticity.py), so no key serves two algorithms (envelope version 2).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"TRUSTENV"
VERSION = 2
CHUNK_KEY_INFO = b"trustctl envelope v2: AES-256-GCM chunk key"
ALGORITHM = "AES-256-GCM"
DEFAULT_CHUNK_SIZE = 1 << 20
MAX_CHUNK_SIZE = 64 << 20
MAX_HEADER_SIZE = 64 << 10
TAG_SIZE = 16
NONCE_PREFIX_SIZE = 8
_U32 = struct.Struct(">I")


class EnvelopeError(Exception):
    """The stream is not a valid, complete, authentic envelope (tampered, truncated, wrong key)."""


class DataKey:
    """A plaintext AES-256 data key that is zeroed when the `with` block ends."""

    def __init__(self, plaintext: bytes) -> None:
        if len(plaintext) != 32:
            raise ValueError("an AES-256 data key is 32 bytes")
        self._key = bytearray(plaintext)

    def __enter__(self) -> DataKey:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wipe()

    def __repr__(self) -> str:  # never show the key
        return "DataKey(<redacted>)"

    def subkey(self, purpose: bytes) -> bytes:
        """A 32-byte key for one purpose, derived with HKDF-SHA256 (info = `purpose`)."""
        if not any(self._key):
            raise EnvelopeError("data key already wiped")
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(
            bytes(self._key))

    def cipher(self) -> AESGCM:
        """The chunks' AES-256-GCM, under the chunk key derived from the data key."""
        return AESGCM(self.subkey(CHUNK_KEY_INFO))

    def wipe(self) -> None:
        for i in range(len(self._key)):
            self._key[i] = 0


def context_digest(context: dict[str, str]) -> str:
    """SHA-256 of the canonical JSON of an encryption context (what the header binds)."""
    canonical = json.dumps(context, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True)
class Header:
    """Everything needed to decrypt, except the KMS call that unwraps `wrapped_key`."""

    key_id: str
    wrapped_key: bytes
    context_sha256: str
    chunk_size: int = DEFAULT_CHUNK_SIZE
    nonce_prefix: bytes = b""
    version: int = VERSION
    algorithm: str = ALGORITHM

    @classmethod
    def new(cls, key_id: str, wrapped_key: bytes, context: dict[str, str],
            chunk_size: int = DEFAULT_CHUNK_SIZE) -> Header:
        return cls(key_id=key_id, wrapped_key=wrapped_key,
                   context_sha256=context_digest(context), chunk_size=chunk_size,
                   nonce_prefix=os.urandom(NONCE_PREFIX_SIZE))

    def to_bytes(self) -> bytes:
        body = json.dumps({
            "version": self.version, "algorithm": self.algorithm, "key_id": self.key_id,
            "wrapped_key": base64.b64encode(self.wrapped_key).decode(),
            "context_sha256": self.context_sha256, "chunk_size": self.chunk_size,
            "nonce_prefix": base64.b64encode(self.nonce_prefix).decode(),
        }, sort_keys=True, separators=(",", ":")).encode()
        return MAGIC + _U32.pack(len(body)) + body

    @classmethod
    def from_bytes(cls, body: bytes) -> Header:
        try:
            data = json.loads(body)
            header = cls(key_id=data["key_id"],
                         wrapped_key=base64.b64decode(data["wrapped_key"], validate=True),
                         context_sha256=data["context_sha256"], chunk_size=int(data["chunk_size"]),
                         nonce_prefix=base64.b64decode(data["nonce_prefix"], validate=True),
                         version=int(data["version"]), algorithm=data["algorithm"])
        except (ValueError, KeyError, TypeError) as exc:
            raise EnvelopeError(f"unreadable envelope header: {type(exc).__name__}") from None
        if header.version != VERSION or header.algorithm != ALGORITHM:
            raise EnvelopeError(f"unsupported envelope {header.algorithm} v{header.version}")
        if not 0 < header.chunk_size <= MAX_CHUNK_SIZE:
            raise EnvelopeError("envelope header has an invalid chunk size")
        if len(header.nonce_prefix) != NONCE_PREFIX_SIZE:
            raise EnvelopeError("envelope header has an invalid nonce prefix")
        return header

    def check_context(self, context: dict[str, str]) -> None:
        """Refuses a stream sealed for another backup (its context hash differs)."""
        if context_digest(context) != self.context_sha256:
            raise EnvelopeError("the envelope was sealed for another backup: its header's "
                                "encryption context (backup id, object key, creation time) is "
                                "not this backup's")


def _nonce(prefix: bytes, index: int) -> bytes:
    if index >= 1 << 32:
        raise EnvelopeError("stream too long for one data key")
    return prefix + _U32.pack(index)


def _aad(header_digest: bytes, index: int, final: bool) -> bytes:
    return header_digest + struct.pack(">QB", index, 1 if final else 0)


def _rechunk(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Yields exactly `size`-byte chunks (the last may be shorter or empty)."""
    buffer = bytearray()
    for piece in pieces:
        buffer += piece
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    yield bytes(buffer)


def encrypt(pieces: Iterable[bytes], header: Header, key: DataKey) -> Iterator[bytes]:
    """Seals a plaintext stream; yields the header, then one record per chunk."""
    aead = key.cipher()
    header_bytes = header.to_bytes()
    digest = hashlib.sha256(header_bytes).digest()
    yield header_bytes
    index = 0
    pending: bytes | None = None
    for chunk in _rechunk(pieces, header.chunk_size):
        if pending is not None:
            yield _seal(aead, header, digest, index, pending, final=False)
            index += 1
        pending = chunk
    yield _seal(aead, header, digest, index, pending or b"", final=True)


def _seal(aead: AESGCM, header: Header, digest: bytes, index: int, chunk: bytes,
          final: bool) -> bytes:
    sealed = aead.encrypt(_nonce(header.nonce_prefix, index), chunk, _aad(digest, index, final))
    return _U32.pack(len(sealed)) + sealed


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    parts = []
    remaining = size
    while remaining:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def read_header(source: BinaryIO) -> tuple[Header, bytes]:
    """Reads the header from the start of a stream; returns it and its raw bytes."""
    prefix = _read_exactly(source, len(MAGIC) + _U32.size)
    if len(prefix) < len(MAGIC) + _U32.size or prefix[: len(MAGIC)] != MAGIC:
        raise EnvelopeError("not a trustctl envelope (bad magic or truncated header)")
    (length,) = _U32.unpack(prefix[len(MAGIC):])
    if length > MAX_HEADER_SIZE:
        raise EnvelopeError("envelope header too large")
    body = _read_exactly(source, length)
    if len(body) < length:
        raise EnvelopeError("envelope truncated inside its header")
    return Header.from_bytes(body), prefix + body


def decrypt(source: BinaryIO, header: Header, header_bytes: bytes, key: DataKey) -> Iterator[bytes]:
    """Opens the records after `read_header`; yields only authenticated plaintext, in order.

    Raises EnvelopeError on any tampering, truncation or trailing data; the caller must treat
    whatever it consumed so far as untrusted work to discard.
    """
    aead = key.cipher()
    digest = hashlib.sha256(header_bytes).digest()
    max_sealed = header.chunk_size + TAG_SIZE
    index = 0
    while True:
        length_bytes = _read_exactly(source, _U32.size)
        if len(length_bytes) < _U32.size:
            raise EnvelopeError(f"envelope truncated: stream ended before its final chunk "
                                f"(after {index} chunks)")
        (length,) = _U32.unpack(length_bytes)
        if not TAG_SIZE <= length <= max_sealed:
            raise EnvelopeError(f"envelope corrupt: chunk {index} has an invalid length")
        sealed = _read_exactly(source, length)
        if len(sealed) < length:
            raise EnvelopeError(f"envelope truncated inside chunk {index}")
        plaintext, final = _open(aead, header, digest, index, sealed)
        yield plaintext
        if final:
            break
        index += 1
    if source.read(1):
        raise EnvelopeError("envelope corrupt: data after the final chunk")


def _open(aead: AESGCM, header: Header, digest: bytes, index: int,
          sealed: bytes) -> tuple[bytes, bool]:
    """Tries the chunk as non-final, then as final: the flag is only known through the tag."""
    nonce = _nonce(header.nonce_prefix, index)
    for final in (False, True):
        try:
            return aead.decrypt(nonce, sealed, _aad(digest, index, final)), final
        except InvalidTag:
            continue
    raise EnvelopeError(f"envelope authentication failed at chunk {index} "
                        "(tampered, reordered, or wrong key)")
