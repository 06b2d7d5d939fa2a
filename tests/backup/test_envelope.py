"""The chunked AEAD stream detects every kind of damage and decrypts what it sealed."""

from __future__ import annotations

import io
import os

import pytest

from trustctl.archive.envelope import DataKey, EnvelopeError, Header, decrypt, encrypt, read_header

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
