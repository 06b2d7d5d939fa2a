"""The backup bucket: `<prefix>/<backup_id>/dump.enc`, then `<prefix>/<backup_id>/manifest.json`.

Uploads are multipart from a stream (parts of 8 MiB or more, a few in flight while the next
fills, so memory stays flat) with the SHA-256 of the ciphertext computed on the way; any failure
aborts the upload, so nothing half-written stays. When the bucket has Object Lock, each object
gets the promised Object Lock retention (BACKUP-DAILY-35D's figures in the catalog).

Every request that writes an object names its checksum, CRC32 (`CHECKSUM`): S3 checks each part
on arrival against it and, declared when the upload is created, keeps the object's composite
checksum of those part CRCs. S3 demands such a header for any write under Object Lock; CRC32 is
the one botocore computes anyway, so naming it adds no pass over the bytes, and the multipart
completion then only combines the parts' CRCs instead of checksumming the whole object again.
It guards transport, not authenticity: that is the envelope's AES-GCM (each chunk checked before
it is used) and the object's SHA-256 in the MAC'd manifest (checked by every read).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from trustctl.archive.manifest import Manifest, ManifestError
from trustctl.catalog import page_figures
from trustctl.errors import DependencyError

PART_SIZE = 8 << 20
# Parts sent at once: S3 answers each part after it has all of it, so one connection idles
# between parts; three keep the link busy while the next part fills.
PARTS_IN_FLIGHT = 3
OBJECT_NAME = "dump.enc"
MANIFEST_NAME = "manifest.json"
TABLES_FOLDER = "tables"
NO_LOCK_CODES = ("ObjectLockConfigurationNotFoundError", "NoSuchObjectLockConfiguration")
CHECKSUM = "CRC32"
# S3 keeps a retain-until date to the second or millisecond, below the microseconds it was set at
RETENTION_SLACK = timedelta(seconds=1)


@dataclass(frozen=True)
class StoredObject:
    """What the upload produced: where, which version, how big, its SHA-256."""

    key: str
    version: str | None
    size: int
    sha256: str
    retain_until: str | None


@dataclass(frozen=True)
class Retention:
    """How long S3 keeps a backup's object, and what is wrong with that (None: as promised)."""

    until: datetime | None
    problem: str | None


@dataclass(frozen=True)
class BackupEntry:
    """One backup id in the bucket; `manifest` is None when the backup is incomplete."""

    backup_id: str
    manifest: Manifest | None
    manifest_error: str | None = None


def error_code(exc: Exception) -> str:
    return exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""


class BackupStore:
    """One bucket's backups. `pins_versions=False` reads each key's current version instead of
    the version its manifest names: only for a copy whose version ids differ from the
    original's (the sandbox's stand-in for S3 replication; real replication keeps them)."""

    def __init__(self, s3: Any, bucket: str, prefix: str = "backups",
                 pins_versions: bool = True) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.pins_versions = pins_versions

    def object_key(self, backup_id: str) -> str:
        return f"{self.prefix}/{backup_id}/{OBJECT_NAME}"

    def table_object_key(self, backup_id: str, file: str) -> str:
        """The object of one file (one table) of a `directory` backup."""
        return f"{self.prefix}/{backup_id}/{TABLES_FOLDER}/{file}.enc"

    def manifest_key(self, backup_id: str) -> str:
        return f"{self.prefix}/{backup_id}/{MANIFEST_NAME}"

    def retain_until(self) -> datetime | None:
        """now + the promised retention when the bucket has Object Lock enabled, else None."""
        try:
            config = self.s3.get_object_lock_configuration(Bucket=self.bucket)
        except ClientError as exc:
            if error_code(exc) in NO_LOCK_CODES:
                return None
            raise
        if config.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") != "Enabled":
            return None
        return datetime.now(UTC) + timedelta(days=page_figures().backup_retention_days)

    def retention(self, manifest: Manifest) -> Retention:
        """The Object Lock S3 reports on the backup's object (HeadObject shows it only to a
        reader with s3:GetObjectRetention), judged by `judged_retention`: for `backup verify`
        and the drill."""
        head = self.head_object(manifest.object_key, manifest.object_version)
        return judged_retention(self._url(manifest), manifest,
                                head.get("ObjectLockMode"), head.get("ObjectLockRetainUntilDate"))

    def retention_set(self, manifest: Manifest) -> Retention:
        """The Object Lock `backup run` set on the object as S3 accepted it (the catalog's mode
        until `retain_until`; none when the bucket has no Object Lock), judged by
        `judged_retention`: the backup role may not read objects, so it cannot ask S3."""
        until = manifest.retain_until
        return judged_retention(self._url(manifest), manifest,
                                page_figures().backup_lock_mode if until else None,
                                datetime.fromisoformat(until) if until else None)

    def _url(self, manifest: Manifest) -> str:
        return f"s3://{self.bucket}/{manifest.object_key}"

    def upload(self, key: str, chunks: Iterable[bytes],
               retain_until: datetime | None) -> StoredObject:
        """Multipart upload of a stream; aborts on any failure (including Ctrl-C)."""
        upload_id = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key,
                                                    ChecksumAlgorithm=CHECKSUM,
                                                    **_lock_args(retain_until))["UploadId"]
        try:
            parts, size, digest = self._upload_parts(key, upload_id, chunks)
            done = self.s3.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id,
                MultipartUpload={"Parts": parts})
        except BaseException:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        version = done.get("VersionId")
        version = None if version in (None, "null") else version  # "null": unversioned bucket
        if retain_until is not None:
            self._ensure_retention(key, version, retain_until)
        return StoredObject(key, version, size, digest, _iso(retain_until))

    def _upload_parts(self, key: str, upload_id: str,
                      chunks: Iterable[bytes]) -> tuple[list[dict], int, str]:
        """Hashes the stream as it comes (in the caller's thread, the same pass as sealing)
        and sends its parts, up to PARTS_IN_FLIGHT at once: memory is bounded by
        (PARTS_IN_FLIGHT + 1) parts whatever the object's size."""
        digest = hashlib.sha256()
        size = 0
        slots = threading.BoundedSemaphore(PARTS_IN_FLIGHT)
        sent: list[Future[dict]] = []

        def send(number: int, body: bytes) -> dict:
            try:
                sent = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                           PartNumber=number, Body=body,
                                           ChecksumAlgorithm=CHECKSUM)
                return {"PartNumber": number, "ETag": sent["ETag"],
                        _CHECKSUM_FIELD: _part_checksum(sent, number)}
            finally:
                slots.release()

        with ThreadPoolExecutor(PARTS_IN_FLIGHT, thread_name_prefix="s3-part") as senders:
            try:
                for number, body in enumerate(_parts(_hashed(chunks, digest)), start=1):
                    size += len(body)
                    slots.acquire()
                    _raise_first_failure(sent)
                    sent.append(senders.submit(send, number, body))
            except BaseException:
                for future in sent:
                    future.cancel()  # parts not yet started are never sent
                raise
            parts = [future.result() for future in sent]
        return parts, size, digest.hexdigest()

    def _ensure_retention(self, key: str, version: str | None, retain_until: datetime) -> None:
        """Some S3 implementations ignore lock headers on multipart uploads: set it explicitly
        (the same date again is allowed even in COMPLIANCE mode: it does not shorten it)."""
        args = {"Bucket": self.bucket, "Key": key, **({"VersionId": version} if version else {})}
        self.s3.put_object_retention(**args, Retention={"Mode": page_figures().backup_lock_mode,
                                                        "RetainUntilDate": retain_until})

    def put_manifest(self, manifest: Manifest, retain_until: datetime | None) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=self.manifest_key(manifest.backup_id),
                           Body=manifest.to_bytes(), ContentType="application/json",
                           ChecksumAlgorithm=CHECKSUM, **_lock_args(retain_until))

    def get_manifest(self, backup_id: str) -> Manifest | None:
        """The manifest, or None when there is none (an incomplete backup)."""
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.manifest_key(backup_id))["Body"]
        except ClientError as exc:
            if error_code(exc) in ("NoSuchKey", "404"):
                return None
            raise
        return Manifest.from_bytes(body.read(), backup_id)

    def exists(self, backup_id: str) -> bool:
        """True when any object (dump or manifest) of that backup is in the bucket."""
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=f"{self.prefix}/{backup_id}/",
                                         MaxKeys=1)
        return listed.get("KeyCount", 0) > 0

    def backup_ids(self) -> list[str]:
        """Every backup id with any object under the prefix, oldest first."""
        ids: set[str] = set()
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + "/"):
            for item in page.get("Contents", []):
                rest = item["Key"][len(self.prefix) + 1:]
                if "/" in rest:
                    ids.add(rest.split("/", 1)[0])
        return sorted(ids)

    def entries(self) -> list[BackupEntry]:
        """Every backup, complete or not, oldest first."""
        out = []
        for backup_id in self.backup_ids():
            try:
                out.append(BackupEntry(backup_id, self.get_manifest(backup_id)))
            except ManifestError as exc:
                out.append(BackupEntry(backup_id, None, str(exc)))
        return out

    def latest_complete(self) -> Manifest | None:
        """The backup whose readable manifest claims the latest finish (claims only: see
        archive/authenticity.py before believing it)."""
        complete = [e.manifest for e in self.entries() if e.manifest is not None]
        return max(complete, key=lambda m: m.finished, default=None)

    def open_object(self, key: str, version: str | None) -> tuple[Any, str | None]:
        """A streaming body of the object (the exact version when known) and its version id."""
        response = self.s3.get_object(**self._object_args(key, version))
        return response["Body"], response.get("VersionId")

    def head_object(self, key: str, version: str | None = None) -> dict:
        """The object's metadata (Object Lock, Last-Modified, replication status)."""
        return self.s3.head_object(**self._object_args(key, version))

    def _object_args(self, key: str, version: str | None) -> dict:
        pinned = version if self.pins_versions else None
        return {"Bucket": self.bucket, "Key": key, **({"VersionId": pinned} if pinned else {})}


def judged_retention(where: str, manifest: Manifest, mode: str | None,
                     until: datetime | None) -> Retention:
    """A backup's lock against BACKUP-DAILY-35D's figures: the catalog's mode (nobody deletes
    early) until its start + the retention days (the manifest's start, which its MAC covers;
    `backup run` sets the lock from a moment after it, so a backup of any length passes). One
    judgment for `backup run`, `backup verify` and the drill: a backup that can be deleted
    tomorrow is not a backup kept 35 days, however intact."""
    figures = page_figures()
    early = f"it can be deleted before {figures.backup_retention_days} days"
    if until is None or mode is None:
        return Retention(None, f"{where} has no Object Lock (none is enabled on the bucket, none "
                               "was set on the object, or the reader lacks "
                               f"s3:GetObjectRetention): {early}")
    if mode != figures.backup_lock_mode:
        return Retention(until, f"{where} is locked in {mode} mode, not "
                                f"{figures.backup_lock_mode}: {early}")
    needed = manifest.started + timedelta(days=figures.backup_retention_days)
    if until < needed - RETENTION_SLACK:
        return Retention(until, f"{where} is locked only until {until}, not "
                                f"{figures.backup_retention_days} days after the backup "
                                f"({needed})")
    return Retention(until, None)


def _hashed(chunks: Iterable[bytes], digest: Any) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


_CHECKSUM_FIELD = f"Checksum{CHECKSUM}"


def _part_checksum(sent: dict, number: int) -> str:
    """The part's checksum as S3 acknowledged it; the completion must repeat each one."""
    if not sent.get(_CHECKSUM_FIELD):
        raise DependencyError(f"the S3 endpoint did not acknowledge part {number}'s {CHECKSUM} "
                              "checksum: it must support S3's additional checksums "
                              f"(x-amz-checksum-{CHECKSUM.lower()})")
    return sent[_CHECKSUM_FIELD]


def _raise_first_failure(sent: list[Future[dict]]) -> None:
    """Stops the stream at the first part S3 refused (its error aborts the upload)."""
    for future in sent:
        if future.done() and future.exception() is not None:
            raise future.exception()


def _parts(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Regroups a stream into parts of at least PART_SIZE (the last may be smaller)."""
    buffer: list[bytes] = []
    filled = 0
    yielded = False
    for chunk in chunks:
        buffer.append(chunk)
        filled += len(chunk)
        if filled >= PART_SIZE:
            yield b"".join(buffer)
            buffer, filled, yielded = [], 0, True
    if filled or not yielded:
        yield b"".join(buffer)


def _lock_args(retain_until: datetime | None) -> dict:
    if retain_until is None:
        return {}
    return {"ObjectLockMode": page_figures().backup_lock_mode,
            "ObjectLockRetainUntilDate": retain_until}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
