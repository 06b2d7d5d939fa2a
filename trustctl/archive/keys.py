"""The backup KMS key: new data keys for backups, unwrapping them for restores, and its state.

The key's state is checked before use because a local stand-in (moto) still decrypts with a
disabled key where AWS refuses; a key disabled or pending deletion makes every backup sealed
with it unrecoverable, which is a finding, not a detail.

Where a backup is read decides which key unwraps it (a KeySource): in the backup's own region
the key its manifest names; in the recovery region, during an outage of the primary, that
multi-Region key's replica, which holds the same key material, so it unwraps the very same
blob with no call to the primary region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from trustctl.archive.envelope import DataKey
from trustctl.errors import FindingError

if TYPE_CHECKING:
    from trustctl.archive.manifest import Manifest

MULTI_REGION_KEY_PREFIX = "mrk-"  # AWS's key id prefix of every multi-Region key


class KeyUnusable(FindingError):
    """The KMS key cannot unwrap the backup's data key (state, wrong key, wrong context)."""


class KeyRefused(KeyUnusable):
    """KMS refused to unwrap the blob: another key wrapped it, or under another context.
    `code` is KMS's error code (InvalidCiphertextException: the blob or the context differs)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def key_problem(kms: Any, key_id: str) -> str | None:
    """Why the key cannot be used (disabled, pending deletion, missing), or None if it is fine."""
    try:
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except ClientError as exc:
        return f"KMS key {key_id} cannot be described: {exc.response['Error'].get('Code')}"
    state = meta.get("KeyState", "Unknown")
    if state == "PendingDeletion":
        return f"KMS key {key_id} is pending deletion (since {meta.get('DeletionDate')})"
    if state != "Enabled" or not meta.get("Enabled", False):
        return f"KMS key {key_id} is {state}: AWS refuses to decrypt with it"
    return None


def new_data_key(kms: Any, key_id: str, context: dict[str, str]) -> tuple[DataKey, bytes, str]:
    """A fresh AES-256 data key: (plaintext holder, wrapped blob, the key's ARN)."""
    problem = key_problem(kms, key_id)
    if problem:
        raise KeyUnusable(problem)
    response = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=context)
    key = DataKey(response.pop("Plaintext"))
    return key, response["CiphertextBlob"], response["KeyId"]


def unwrap(kms: Any, key_id: str, wrapped: bytes, context: dict[str, str]) -> DataKey:
    """The plaintext data key; KMS checks the key id and the encryption context.

    An unreachable KMS raises botocore's error as is: that is "could not run", not a finding.
    """
    problem = key_problem(kms, key_id)
    if problem:
        raise KeyUnusable(problem)
    try:
        response = kms.decrypt(CiphertextBlob=wrapped, KeyId=key_id, EncryptionContext=context)
    except ClientError as exc:
        code = exc.response["Error"].get("Code") or "refused"
        raise KeyRefused(f"KMS refused to unwrap the data key with {key_id}: {code}",
                         code) from None
    return DataKey(response.pop("Plaintext"))


def replica_key_arn(key_arn: str, region: str) -> str:
    """The ARN of `key_arn`'s replica in `region`: a multi-Region key keeps its key id (mrk-...)
    in every region, so only the ARN's region changes. KeyUnusable for any other key."""
    parts = key_arn.split(":", 5)
    if (len(parts) != 6 or parts[0] != "arn" or parts[2] != "kms"
            or not parts[5].startswith(f"key/{MULTI_REGION_KEY_PREFIX}")):
        raise KeyUnusable(f"{key_arn} is not a multi-Region KMS key ARN: no replica of it can "
                          f"unwrap this backup in {region}")
    return ":".join([*parts[:3], region, *parts[4:]])


class KeySource(Protocol):
    """Which KMS key unwraps a backup where it is being read, and the wrapped blob to give it."""

    def key_id(self, manifest: Manifest) -> str: ...

    def wrapped(self, manifest: Manifest, header_wrapped: bytes) -> bytes: ...


class ManifestKey:
    """The key the manifest names: reading a backup in the region that wrote it."""

    def key_id(self, manifest: Manifest) -> str:
        return manifest.kms_key_id

    def wrapped(self, manifest: Manifest, header_wrapped: bytes) -> bytes:
        return header_wrapped


class ReplicaKey:
    """The manifest's multi-Region key's replica in `region` (same key material, same blob)."""

    def __init__(self, region: str) -> None:
        self.region = region

    def key_id(self, manifest: Manifest) -> str:
        return replica_key_arn(manifest.kms_key_id, self.region)

    def wrapped(self, manifest: Manifest, header_wrapped: bytes) -> bytes:
        return header_wrapped
