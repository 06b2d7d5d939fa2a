"""Is the manifest found at a backup id the one that backup wrote, unchanged, and how old is it?

Whoever can write the backup bucket (and nothing else: no KMS) can copy objects, swap them
between ids and rewrite any byte of a manifest. Three things stop them, in this order:

1. the manifest at `backups/ID/` must say it is ID's: its backup id, object key, encryption
   context and start time (which the id encodes to the second) name ID, else the field that
   does not is named (a swapped or copied manifest);
2. KMS unwraps the data key only under ID's encryption context (archive/binding.py): a data
   key sealed for another backup, object or time is refused (a replayed dump);
3. every field carries an HMAC-SHA256 keyed from that data key (HKDF, so the data key itself
   is never a MAC key): any field rewritten, added or removed is named.

Only then are the manifest's times believed, and still cross-checked with what S3 itself
recorded, which no writer sets: the dump cannot have been stored before the backup started,
nor the manifest before it finished, and a finish in the future is refused. The age of a
backup (RPO) is taken from these authenticated times only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from trustctl.archive.binding import id_time
from trustctl.archive.envelope import DataKey
from trustctl.archive.keys import KeyRefused, KeySource, unwrap
from trustctl.archive.manifest import FORMAT, Manifest
from trustctl.archive.store import BackupStore, error_code
from trustctl.errors import FindingError

MAC_KEY_INFO = b"trustctl manifest v2: HMAC-SHA256 field key"
ALGORITHM = "HMAC-SHA256"
KEY_DERIVATION = "HKDF-SHA256"
# How far the backup host's clock and S3's may disagree before a time counts as impossible.
CLOCK_SKEW = timedelta(minutes=5)
CONTEXT_FIELDS = "backup_id, object_key, started_at"
MISSING_CODES = ("404", "NoSuchKey", "NoSuchVersion")


class ForgedBackup(FindingError):
    """Something of the backup is not what its writer made: one line names the field."""


@dataclass(frozen=True)
class Authentic:
    """What authentication established (the manifest itself is then to be believed)."""

    fields: int
    dump_stored_at: datetime
    manifest_stored_at: datetime

    def summary(self) -> str:
        return (f"manifest authentic: {self.fields} fields MAC-verified under the backup's own "
                f"data key (KMS, under its id, object and start time); S3 stored the dump at "
                f"{self.dump_stored_at.isoformat()}, the manifest at "
                f"{self.manifest_stored_at.isoformat()}")


def field_macs(fields: dict[str, Any], key: DataKey) -> dict[str, str]:
    """One MAC per field, over its name and canonical JSON value (docs/backup-format.md)."""
    mac_key = key.subkey(MAC_KEY_INFO)
    return {name: hmac.new(mac_key, canonical(name, value), hashlib.sha256).hexdigest()
            for name, value in sorted(fields.items())}


def canonical(name: str, value: Any) -> bytes:
    return json.dumps([name, value], sort_keys=True, separators=(",", ":")).encode()


def seal(manifest: Manifest, key: DataKey) -> None:
    """Sets the manifest's `authentication` (the backup writes it last, sealed)."""
    manifest.authentication = {"algorithm": ALGORITHM, "key": KEY_DERIVATION,
                               "fields": field_macs(manifest.fields(), key)}


def check_identity(manifest: Manifest, backup_id: str, store: BackupStore) -> None:
    """Without KMS: the manifest found at `backup_id` names that backup in every field that
    binds it (ForgedBackup naming the first that does not)."""
    where = f"backup {backup_id}: manifest field"
    if manifest.backup_id != backup_id:
        raise ForgedBackup(f"{where} backup_id says {manifest.backup_id}: the manifest at "
                           f"{store.manifest_key(backup_id)} belongs to another backup "
                           "(swapped or copied)")
    if manifest.object_key != store.object_key(backup_id):
        raise ForgedBackup(f"{where} object_key names {manifest.object_key}, not this "
                           f"backup's {store.object_key(backup_id)}")
    started = id_time(backup_id)
    if started is None:
        raise ForgedBackup(f"backup {backup_id}: not a backup id (YYYYMMDDTHHMMSSZ-xxxxxx)")
    if manifest.started.astimezone(UTC).replace(microsecond=0) != started:
        raise ForgedBackup(f"{where} started_at says {manifest.started_at}, not the time its id "
                           f"records ({started.isoformat()})")
    if manifest.encryption_context != manifest.expected_context():
        raise ForgedBackup(f"{where} encryption_context is not the context of its "
                           f"{CONTEXT_FIELDS}")
    if manifest.format != FORMAT or not isinstance(manifest.authentication, dict):
        raise ForgedBackup(f"backup {backup_id}: the manifest carries no authentication")


def authenticate(store: BackupStore, kms: Any, backup_id: str, manifest: Manifest,
                 keys: KeySource, now: datetime | None = None) -> Authentic:
    """The whole check (module docstring); ForgedBackup names what was forged, KeyUnusable
    says why the key cannot be used, AWS outages raise botocore's errors."""
    check_identity(manifest, backup_id, store)
    try:
        key = unwrap(kms, keys.key_id(manifest),
                     keys.wrapped(manifest, manifest.wrapped_key_bytes),
                     manifest.expected_context())
    except KeyRefused as exc:
        raise _refusal(backup_id, manifest, exc) from None
    with key:
        _check_macs(backup_id, manifest, key)
    return _check_times(store, backup_id, manifest, now or datetime.now(UTC))


def _refusal(backup_id: str, manifest: Manifest, exc: KeyRefused) -> ForgedBackup:
    where = f"backup {backup_id}: manifest field"
    if exc.code == "InvalidCiphertextException":
        return ForgedBackup(f"{where} wrapped_data_key holds a data key KMS will not unwrap "
                            f"under this backup's encryption context ({CONTEXT_FIELDS}): it "
                            "was sealed for another backup or time (a replayed or swapped "
                            "backup, or an edited started_at)")
    return ForgedBackup(f"backup {backup_id}: KMS refused to unwrap its data key with the "
                        f"manifest's kms_key_id {manifest.kms_key_id} ({exc.code}): an edited "
                        "kms_key_id, or a key this role may not use")


def _check_macs(backup_id: str, manifest: Manifest, key: DataKey) -> None:
    fields = manifest.fields()
    recorded = (manifest.authentication or {}).get("fields")
    where = f"backup {backup_id}: manifest"
    if not isinstance(recorded, dict):
        raise ForgedBackup(f"{where} carries no field MACs")
    added = sorted(fields.keys() - recorded.keys())
    removed = sorted(recorded.keys() - fields.keys())
    if added or removed:
        what = [f"{', '.join(names)} {verb}" for names, verb in ((added, "added"),
                                                                 (removed, "removed")) if names]
        raise ForgedBackup(f"{where} field(s) {'; '.join(what)} after the backup was sealed")
    expected = field_macs(fields, key)
    changed = [name for name in sorted(fields)
               if not hmac.compare_digest(str(recorded[name]).encode(), expected[name].encode())]
    if changed:
        raise ForgedBackup(f"{where} field(s) {', '.join(changed)} changed after the backup was "
                           "sealed (MAC does not verify under the backup's data key)")


def _check_times(store: BackupStore, backup_id: str, manifest: Manifest,
                 now: datetime) -> Authentic:
    """The authenticated times against S3's own (LastModified) and the clock."""
    where = f"backup {backup_id}: manifest field"
    started, finished = manifest.started, manifest.finished
    dump_stored = _stored_at(store, backup_id, manifest.object_key, manifest.object_version)
    manifest_stored = _stored_at(store, backup_id, store.manifest_key(backup_id), None)
    if finished < started:
        raise ForgedBackup(f"{where} finished_at {manifest.finished_at} is before its "
                           f"started_at {manifest.started_at}")
    if finished > now + CLOCK_SKEW:
        raise ForgedBackup(f"{where} finished_at {manifest.finished_at} is in the future")
    if started > dump_stored + CLOCK_SKEW:
        raise ForgedBackup(f"{where} started_at {manifest.started_at} is after S3 stored its "
                           f"dump ({dump_stored.isoformat()}): the writer's time is wrong")
    if finished > manifest_stored + CLOCK_SKEW:
        raise ForgedBackup(f"{where} finished_at {manifest.finished_at} is after S3 stored the "
                           f"manifest ({manifest_stored.isoformat()}): the writer's time is "
                           "wrong")
    return Authentic(len(manifest.fields()), dump_stored, manifest_stored)


def _stored_at(store: BackupStore, backup_id: str, key: str, version: str | None) -> datetime:
    """When S3 stored the object (LastModified); a finding when it is not there."""
    try:
        return store.head_object(key, version)["LastModified"]
    except ClientError as exc:
        if error_code(exc) not in MISSING_CODES:
            raise
    shown = f"{key} (version {version})" if version else key
    raise ForgedBackup(f"backup {backup_id}: {shown} is not in the bucket: its manifest names "
                       "an object that was deleted or never written")
