"""What ties a stored backup to its id: the id itself, and the KMS encryption context.

A backup id (`YYYYMMDDTHHMMSSZ-xxxxxx`) is its UTC start time and 3 random bytes. Its data key
is wrapped by KMS under an encryption context naming the backup id, the object key and the
creation time (the manifest's `started_at`), and KMS unwraps it under exactly that context
only. So a dump copied under another id, another key or with another creation time cannot be
decrypted, and the manifest's MACs (keyed from that data key) cannot be checked: whoever can
only write the bucket cannot replay an old backup as a new one.

The context keys are also what the backup key's policy allows (infra/components/keys.py
imports CONTEXT_KEYS from here), so the writer can use the key for backups only.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

BACKUP_ID = "trustctl:backup-id"
OBJECT = "trustctl:object"
CREATED_AT = "trustctl:created-at"
CONTEXT_KEYS = (BACKUP_ID, OBJECT, CREATED_AT)
_ID = re.compile(r"^(\d{8}T\d{6}Z)-[0-9a-f]{6}$")
_ID_TIME = "%Y%m%dT%H%M%SZ"


def new_backup_id(now: datetime) -> str:
    """Sorts by start time; a random suffix keeps two backups in one second apart."""
    return f"{now.astimezone(UTC).strftime(_ID_TIME)}-{secrets.token_hex(3)}"


def encryption_context(backup_id: str, object_key: str, created_at: str) -> dict[str, str]:
    """The context every data key of a backup is wrapped and unwrapped under."""
    return {BACKUP_ID: backup_id, OBJECT: object_key, CREATED_AT: created_at}


def id_time(backup_id: str) -> datetime | None:
    """The start time (to the second) a backup id encodes, or None if it is not an id."""
    match = _ID.match(backup_id)
    if match is None:
        return None
    return datetime.strptime(match.group(1), _ID_TIME).replace(tzinfo=UTC)
