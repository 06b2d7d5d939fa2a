"""What S3 replication does on AWS and moto does not: copy every new object of the backup bucket
to the replica bucket in the recovery region, with its Object Lock retention.

Each backup's manifest is copied last (after its dump and the stand-in-wrapped data key, see
sandbox/recovery.py), so the copy of a backup is complete exactly when its manifest is there,
as the drill assumes. Run by the sandbox daemon every second; tests call `copy_new` directly.
"""

from __future__ import annotations

from typing import Any

from trustctl.archive.manifest import Manifest
from trustctl.archive.store import MANIFEST_NAME
from trustctl.aws import AwsTarget, client
from trustctl.sandbox.recovery import DeclaredRecovery, stand_in_wrapped_key_name


class Replication:
    """Copies `source_bucket` (at `primary`) to the declared replica bucket, new objects only."""

    def __init__(self, primary: AwsTarget, source_bucket: str, recovery: DeclaredRecovery) -> None:
        target = AwsTarget(recovery.region, primary.endpoint_url)
        self._source, self._replica = client("s3", primary), client("s3", target)
        self._primary_kms, self._recovery_kms = client("kms", primary), client("kms", target)
        self._source_bucket = source_bucket
        self._recovery = recovery

    def copy_new(self) -> list[str]:
        """Copies what the replica lacks, manifests last; returns the keys copied."""
        present = set(_keys(self._replica, self._recovery.bucket))
        missing = [k for k in _keys(self._source, self._source_bucket) if k not in present]
        missing.sort(key=lambda k: (k.endswith(f"/{MANIFEST_NAME}"), k))
        for key in missing:
            if key.endswith(f"/{MANIFEST_NAME}"):
                self._rewrap_data_key(key)
            self._copy(key)
        return missing

    def _copy(self, key: str) -> None:
        """Streams the object over (moto's CopyObject refuses a locked bucket without a checksum
        header boto3 does not send), then sets the source's Object Lock retention on it."""
        source = self._source.get_object(Bucket=self._source_bucket, Key=key)
        self._replica.upload_fileobj(source["Body"], self._recovery.bucket, key, ExtraArgs={
            "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._recovery.stand_in_key_arn})
        retention = _retention(source)
        if retention:
            self._replica.put_object_retention(
                Bucket=self._recovery.bucket, Key=key,
                Retention={"Mode": retention["ObjectLockMode"],
                           "RetainUntilDate": retention["ObjectLockRetainUntilDate"]})

    def _rewrap_data_key(self, manifest_key: str) -> None:
        """The stand-in for the replica key: the data key sealed under the stand-in key."""
        body = self._source.get_object(Bucket=self._source_bucket, Key=manifest_key)["Body"]
        manifest = Manifest.from_bytes(body.read())
        context = manifest.encryption_context
        wrapped = self._recovery_kms.encrypt(
            KeyId=self._recovery.stand_in_key_arn, EncryptionContext=context,
            Plaintext=self._primary_kms.decrypt(
                CiphertextBlob=manifest.wrapped_key_bytes, KeyId=manifest.kms_key_id,
                EncryptionContext=context)["Plaintext"])["CiphertextBlob"]
        head = self._source.head_object(Bucket=self._source_bucket, Key=manifest.object_key)
        self._replica.put_object(Bucket=self._recovery.bucket,
                                 Key=stand_in_wrapped_key_name(manifest.object_key),
                                 Body=wrapped, ChecksumAlgorithm="SHA256", **_retention(head))


def _keys(s3: Any, bucket: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def _retention(head: dict) -> dict:
    if not head.get("ObjectLockMode"):
        return {}
    return {"ObjectLockMode": head["ObjectLockMode"],
            "ObjectLockRetainUntilDate": head["ObjectLockRetainUntilDate"]}
