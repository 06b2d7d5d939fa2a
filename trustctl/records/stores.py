"""Which record store a location names: `s3://bucket/prefix` (the evidence bucket, boto3's usual
configuration) or a local directory. Apart from RecordStore, so the base class knows none of
the stores built on it (and botocore loads only for a bucket)."""

from __future__ import annotations

from pathlib import Path

from trustctl.environment import PRODUCTION, Environment
from trustctl.records.local import LocalRecordStore
from trustctl.records.store import S3_SCHEME, RecordStore


def open_store(location: str | Path, environment: Environment = PRODUCTION) -> RecordStore:
    """The store at `location`: a bucket for `s3://bucket/prefix`, else a directory. Records
    written there say they came from `environment`."""
    text = str(location)
    if text.startswith(S3_SCHEME):
        from trustctl.records.s3 import S3RecordStore

        store: RecordStore = S3RecordStore.from_url(text)
    else:
        store = LocalRecordStore(Path(text))
    store.environment = environment
    return store
