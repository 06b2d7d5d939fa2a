"""The store's multipart upload sends several parts at once: the object still comes out whole,
in order, with the SHA-256 of what was sent; a stream that fails half-way leaves nothing. Each
part goes with its CRC32, which S3 checks, and the object keeps their composite; an endpoint that
does not acknowledge a part's checksum fails the upload."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from trustctl.archive.location import Location
from trustctl.archive.store import PART_SIZE, PARTS_IN_FLIGHT, BackupStore
from trustctl.errors import DependencyError


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_parts_sent_at_once_arrive_whole_and_in_order(location: Location) -> None:
    parts = PARTS_IN_FLIGHT * 2 + 1
    data = os.urandom(PART_SIZE * (parts - 1) + 12345)  # the last part is short
    store = location.store()
    stored = store.upload("backups/x/dump.enc", _pieces(data, 1 << 20), None)
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    body, _ = store.open_object("backups/x/dump.enc", stored.version)
    assert body.read() == data
    head = store.s3.head_object(Bucket=store.bucket, Key="backups/x/dump.enc", PartNumber=parts)
    assert head["PartsCount"] == parts


def test_a_stream_failing_after_parts_were_sent_leaves_no_object_nor_upload(
        location: Location) -> None:
    def failing() -> Iterator[bytes]:
        yield from _pieces(os.urandom(PART_SIZE * (PARTS_IN_FLIGHT + 1)), 1 << 20)
        raise RuntimeError("pg_dump died")

    store = location.store()
    with pytest.raises(RuntimeError, match="pg_dump died"):
        store.upload("backups/y/dump.enc", failing(), None)
    assert store.s3.list_objects_v2(Bucket=location.bucket).get("KeyCount") == 0
    assert not store.s3.list_multipart_uploads(Bucket=location.bucket).get("Uploads")


def test_each_part_goes_with_its_crc32_and_the_object_keeps_their_composite(
        location: Location) -> None:
    data = os.urandom(PART_SIZE * 2 + 777)
    store = location.store()
    store.upload("backups/c/dump.enc", _pieces(data, 1 << 20), None)
    head = store.s3.head_object(Bucket=store.bucket, Key="backups/c/dump.enc",
                                ChecksumMode="ENABLED")
    part_crcs = b"".join(zlib.crc32(part).to_bytes(4, "big") for part in _pieces(data, PART_SIZE))
    composite = base64.b64encode(zlib.crc32(part_crcs).to_bytes(4, "big")).decode()
    # S3 appends the part count ("...-3"); moto's HEAD leaves it out
    assert head["ChecksumCRC32"].removesuffix("-3") == composite


class _ForgetsChecksums:
    """The real client, but upload_part's answer lacks the checksum S3 would acknowledge."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)

    def upload_part(self, **kwargs: Any) -> dict:
        answer = self._s3.upload_part(**kwargs)
        answer.pop("ChecksumCRC32", None)
        return answer


def test_an_endpoint_not_acknowledging_part_checksums_fails_and_leaves_nothing(
        location: Location) -> None:
    real = location.store()
    store = BackupStore(_ForgetsChecksums(real.s3), real.bucket, real.prefix)
    with pytest.raises(DependencyError, match="did not acknowledge part 1's CRC32"):
        store.upload("backups/z/dump.enc", _pieces(os.urandom(PART_SIZE + 1), 1 << 20), None)
    assert real.s3.list_objects_v2(Bucket=location.bucket).get("KeyCount") == 0
    assert not real.s3.list_multipart_uploads(Bucket=location.bucket).get("Uploads")
