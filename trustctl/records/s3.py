"""Records in S3: each an object under Object Lock COMPLIANCE, written only if absent.

The bucket must have Object Lock enabled (infra/components/evidence.py declares it); each put
also names its own retention, so a record outlives the audit period plus a year even if the
bucket's default changes, and `If-None-Match: *` makes S3 itself refuse a second write of a
name (and the bucket policy denies any PutObject without it: infra/components/evidence.py).

Object Lock keeps every version, not the current one: a plain PutObject over a record adds a
version, a DeleteObject adds a delete marker, and either would change what a reader of the
current version sees. So a read lists every version of every key: a key with more than one
version, or a delete marker, is tampering (a Problem naming the key) and its first version is
the one read. Region and credentials come from boto3's usual chain; AWS_ENDPOINT_URL points
it at a local moto server in tests and the sandbox.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from trustctl import aws
from trustctl.errors import DependencyError, InputError
from trustctl.records.record import Record
from trustctl.records.store import (
    S3_SCHEME,
    Fetch,
    Problem,
    RecordExistsError,
    RecordStore,
    encode,
)

# A 12-month SOC 2 Type II period plus a year; the bucket's longer default wins (see write).
RETENTION_DAYS = 365 + 365


class S3RecordStore(RecordStore):
    def __init__(self, client: object, bucket: str, prefix: str,
                 retention_days: int = RETENTION_DAYS) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")
        self.retention_days = retention_days
        self._bucket_days: int | None = None  # the bucket's default retention, once checked

    @classmethod
    def from_url(cls, url: str) -> S3RecordStore:
        parts = urlsplit(url)
        if not parts.netloc:
            raise InputError(f"{url}: expected {S3_SCHEME}bucket/prefix")
        return cls(aws.client("s3", aws.from_environment()), parts.netloc, parts.path)

    @property
    def chain(self) -> str:
        """The bucket's own history, whoever writes to it."""
        return str(self)

    def __str__(self) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.prefix}"

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def check_writable(self) -> None:
        try:
            lock = self.client.get_object_lock_configuration(Bucket=self.bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise DependencyError(f"evidence bucket {self.bucket}: {code} (records need a "
                                  "reachable bucket with Object Lock enabled)") from None
        except BotoCoreError as exc:
            raise DependencyError(f"evidence bucket {self.bucket}: {exc}") from None
        config = lock.get("ObjectLockConfiguration", {})
        if config.get("ObjectLockEnabled") != "Enabled":
            raise InputError(f"evidence bucket {self.bucket} has no Object Lock: records "
                             "there could be deleted or rewritten")
        default = config.get("Rule", {}).get("DefaultRetention", {})
        self._bucket_days = default.get("Days") or 365 * default.get("Years", 0)

    def _put(self, record: Record) -> str:
        key = self._key(record.name)
        url = f"{S3_SCHEME}{self.bucket}/{key}"
        if self._bucket_days is None:
            self.check_writable()
        days = max(self.retention_days, self._bucket_days or 0)
        until = datetime.now(UTC) + timedelta(days=days)
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=encode(record),
                ContentType="application/json", IfNoneMatch="*",
                ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "PreconditionFailed":
                raise RecordExistsError(f"{url}: a record of that name exists; records are "
                                        "append-only and never rewritten") from None
            raise DependencyError(f"cannot write record {url}: {code}: "
                                  f"{exc.response.get('Error', {}).get('Message', '')}") from None
        except BotoCoreError as exc:
            raise DependencyError(f"cannot write record {url}: {exc}") from None
        return url

    def _stored(self, kind: str | None) -> tuple[list[tuple[str, Fetch]], list[Problem]]:
        start = self._key(f"{kind}-" if kind else "")
        try:
            versions = self._versions(start)
            stored, problems = [], []
            for key, (found, deleted) in sorted(versions.items()):
                url = f"{S3_SCHEME}{self.bucket}/{key}"
                problem = _tampering(found, deleted)
                if problem:
                    problems.append(Problem(url, problem))
                if found:
                    # S3 lists a key's versions newest first; times tie within a second
                    first = min(reversed(found), key=lambda v: v["LastModified"])
                    stored.append((f"{url}?versionId={first['VersionId']}",
                                   partial(self._fetch, key, first["VersionId"])))
        except (ClientError, BotoCoreError) as exc:
            raise DependencyError(f"cannot read records from {S3_SCHEME}{self.bucket}/"
                                  f"{self.prefix}: {exc}") from None
        return stored, problems

    def _fetch(self, key: str, version: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key,
                                          VersionId=version)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise DependencyError(f"cannot read record {S3_SCHEME}{self.bucket}/{key}: "
                                  f"{exc}") from None

    def _versions(self, start: str) -> dict[str, tuple[list[dict[str, Any]], int]]:
        """Per record key: its object versions, and how many delete markers it has."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        deleted: dict[str, int] = defaultdict(int)
        pages = self.client.get_paginator("list_object_versions").paginate(
            Bucket=self.bucket, Prefix=start)
        for page in pages:
            for version in page.get("Versions", []):
                if version["Key"].endswith(".json"):
                    found[version["Key"]].append(version)
            for marker in page.get("DeleteMarkers", []):
                if marker["Key"].endswith(".json"):
                    deleted[marker["Key"]] += 1
        return {key: (found.get(key, []), deleted.get(key, 0))
                for key in found.keys() | deleted.keys()}


def _tampering(versions: list[dict[str, Any]], deleted: int) -> str | None:
    """What was done to a key written once, or None when it holds exactly its one version."""
    done = []
    if len(versions) > 1:
        done.append(f"{len(versions)} versions (overwritten after it was written)")
    if deleted:
        done.append(f"{deleted} delete marker(s) (deleted after it was written)")
    if not done:
        return None
    used = "its first version is the one read" if versions else "no version left to read"
    return f"TAMPERING: {' and '.join(done)}; {used}"
