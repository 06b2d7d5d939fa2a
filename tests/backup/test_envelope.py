"""The chunked AEAD stream detects every kind of damage and decrypts what it sealed."""

from __future__ import annotations

import hashlib
import io
import os
import struct

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trustctl.archive.authenticity import MAC_KEY_INFO
from trustctl.archive.envelope import (
    CHUNK_KEY_INFO,
    DataKey,
    EnvelopeError,
    Header,
    decrypt,
    encrypt,
    read_header,
)

CONTEXT = {"backup_id": "b1", "purpose": "trustctl-backup"}
KEY = bytes(range(32))


def seal(plaintext: bytes, chunk_size: int = 64) -> tuple[bytes, Header]:
    header = Header.new("key-1", b"wrapped", CONTEXT, chunk_size=chunk_size)
    pieces = [plaintext[i:i + 7] for i in range(0, len(plaintext), 7)]
    with DataKey(KEY) as key:
        return b"".join(encrypt(pieces, header, key)), header


def open_all(blob: bytes, key_bytes: bytes = KEY) -> bytes:
    source = io.BytesIO(blob)
    header, raw = read_header(source)
    with DataKey(key_bytes) as key:
        return b"".join(decrypt(source, header, raw, key))


def records(blob: bytes) -> tuple[bytes, list[bytes]]:
    """Splits a sealed stream into its header bytes and its records."""
    source = io.BytesIO(blob)
    _, raw = read_header(source)
    out = []
    while length := source.read(4):
        out.append(length + source.read(int.from_bytes(length, "big")))
    return raw, out


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 640, 1000])
def test_round_trip_any_size(size: int) -> None:
    plaintext = os.urandom(size)
    blob, _ = seal(plaintext)
    assert size < 16 or plaintext not in blob
    assert open_all(blob) == plaintext


def test_header_carries_key_id_wrapped_key_and_context_hash() -> None:
    blob, header = seal(b"x" * 100)
    parsed, _ = read_header(io.BytesIO(blob))
    assert parsed == header
    parsed.check_context(CONTEXT)
    with pytest.raises(EnvelopeError, match="context"):
        parsed.check_context({**CONTEXT, "backup_id": "b2"})


def test_every_flipped_byte_is_detected() -> None:
    blob, _ = seal(os.urandom(200), chunk_size=50)
    for position in range(len(blob)):
        damaged = bytearray(blob)
        damaged[position] ^= 0x01
        with pytest.raises(EnvelopeError):
            open_all(bytes(damaged))


def test_every_truncation_is_detected() -> None:
    blob, _ = seal(os.urandom(200), chunk_size=50)
    for cut in range(len(blob)):
        with pytest.raises(EnvelopeError):
            open_all(blob[:cut])


def test_dropped_reordered_and_trailing_records_are_detected() -> None:
    blob, _ = seal(os.urandom(200), chunk_size=50)
    raw, recs = records(blob)
    assert len(recs) == 5
    dropped = raw + b"".join(recs[:2] + recs[3:])
    swapped = raw + b"".join([recs[1], recs[0], *recs[2:]])
    dropped_final = raw + b"".join(recs[:-1])
    trailing = blob + recs[0]
    for damaged, reason in [(dropped, "authentication"), (swapped, "authentication"),
                            (dropped_final, "truncated"), (trailing, "after the final")]:
        with pytest.raises(EnvelopeError, match=reason):
            open_all(damaged)


def test_wrong_key_fails_and_key_is_wiped() -> None:
    blob, _ = seal(b"secret rows" * 10)
    with pytest.raises(EnvelopeError, match="authentication"):
        open_all(blob, key_bytes=bytes(32 * [7]))
    key = DataKey(KEY)
    key.wipe()
    assert "redacted" in repr(key)
    with pytest.raises(EnvelopeError, match="wiped"):
        key.cipher()


def test_header_swap_between_streams_is_detected() -> None:
    blob_a, _ = seal(b"a" * 100)
    blob_b, _ = seal(b"b" * 100)
    raw_a, _ = records(blob_a)
    _, recs_b = records(blob_b)
    with pytest.raises(EnvelopeError):
        open_all(raw_a + b"".join(recs_b))


def test_the_data_key_itself_never_seals_a_chunk() -> None:
    """Envelope v2: chunks are sealed under HKDF(data key, chunk info), the manifest's MACs under
    HKDF(data key, MAC info): the data key serves no algorithm directly."""
    blob, header = seal(b"x" * 10, chunk_size=64)
    raw, (record,) = records(blob)
    nonce = header.nonce_prefix + (0).to_bytes(4, "big")
    aad = hashlib.sha256(raw).digest() + struct.pack(">QB", 0, 1)
    with pytest.raises(InvalidTag):
        AESGCM(KEY).decrypt(nonce, record[4:], aad)
    chunk_key = HKDF(algorithm=SHA256(), length=32, salt=None, info=CHUNK_KEY_INFO).derive(KEY)
    assert AESGCM(chunk_key).decrypt(nonce, record[4:], aad) == b"x" * 10
    with DataKey(KEY) as key:
        assert len({key.subkey(CHUNK_KEY_INFO), key.subkey(MAC_KEY_INFO), KEY}) == 3
    assert header.to_bytes()[12:].startswith(b'{"algorithm":"AES-256-GCM"')
    assert read_header(io.BytesIO(blob))[0].version == 2
