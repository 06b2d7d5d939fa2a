"""The store's multipart upload sends several parts at once: the object still comes out whole,
in order, with the SHA-256 of what was sent; a stream that fails half-way leaves nothing."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest

from trustctl.archive.location import Location
from trustctl.archive.store import PART_SIZE, PARTS_IN_FLIGHT


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
