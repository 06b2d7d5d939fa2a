"""The backup KMS key: new data keys for backups, unwrapping them for restores, and its state.

The key's state is checked before use because a local stand-in (moto) still decrypts with a
disabled key where AWS refuses; a key disabled or pending deletion makes every backup sealed
with it unrecoverable, which is a finding, not a detail.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from trustctl.archive.envelope import DataKey
from trustctl.errors import FindingError


class KeyUnusable(FindingError):
    """The KMS key cannot unwrap the backup's data key (state, wrong key, wrong context)."""


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
        code = exc.response["Error"].get("Code")
        raise KeyUnusable(f"KMS refused to unwrap the data key with {key_id}: {code}") from None
    return DataKey(response.pop("Plaintext"))
