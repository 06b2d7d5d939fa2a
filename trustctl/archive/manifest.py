"""The backup manifest: what a backup is, written last so that its presence means "complete".

It names the source without credentials (and the source server's identity, which the drill's
production guard compares scratch servers with), the stored object (key, version, size,
SHA-256; for a `directory` backup, each table's object too), the KMS key and wrapped data key,
the encryption context, the per-table row counts and checksums, the roles to recreate, the
extensions a restore target needs and the schemas left out (--exclude-schema), plus tool and
pg_dump versions. Every field is authenticated by a MAC keyed from the backup's own data key
(archive/authenticity.py): the drill trusts nothing else, and nothing in it before that MAC
verified.

Format 1 manifests carried no MAC: anyone who could write the bucket could have written one.
They are refused, with what to do instead (docs/backup-format.md, "Older backups").
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

from trustctl.archive.binding import encryption_context
from trustctl.archive.inventory import Extension, Role, TableStats
from trustctl.errors import FindingError
from trustctl.pg.identity import ServerIdentity
from trustctl.redaction import redact

FORMAT = "trustctl-backup-manifest/2"
UNAUTHENTICATED_FORMATS = ("trustctl-backup-manifest/1",)
AUTHENTICATION = "authentication"


class ManifestError(FindingError):
    """The manifest is unreadable or incomplete."""


class UnauthenticatedManifest(ManifestError):
    """A manifest of a format without a MAC: nothing in it can be trusted."""


@dataclass(frozen=True)
class TableObject:
    """One file of a `directory` backup, stored as an envelope of its own: the name pg_restore
    knows it by, the table it holds (None for other files), and what the bucket must hold."""

    file: str
    table: str | None
    key: str
    version: str | None
    bytes: int
    sha256: str
    dump_bytes: int

    @property
    def label(self) -> str:
        return f"{self.file} (table {self.table})" if self.table else self.file


@dataclass
class Manifest:
    backup_id: str
    source: str
    started_at: str
    finished_at: str
    object_key: str
    object_version: str | None
    object_bytes: int
    object_sha256: str
    dump_bytes: int
    kms_key_id: str
    wrapped_data_key: str
    encryption_context: dict[str, str]
    compression: str
    dump_format: str
    tool_version: str
    pg_dump_version: str
    server_version: str
    tables: list[TableStats] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    retain_until: str | None = None
    excluded_schemas: list[str] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    source_identity: ServerIdentity | None = None
    table_objects: list[TableObject] = field(default_factory=list)
    authentication: dict[str, Any] | None = None
    format: str = FORMAT

    @property
    def wrapped_key_bytes(self) -> bytes:
        return base64.b64decode(self.wrapped_data_key)

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.started_at)

    @property
    def finished(self) -> datetime:
        return datetime.fromisoformat(self.finished_at)

    def expected_context(self) -> dict[str, str]:
        """The encryption context of this backup, from its id, object key and creation time."""
        return encryption_context(self.backup_id, self.object_key, self.started_at)

    def to_bytes(self) -> bytes:
        """The stored manifest, redacted like every other record trustctl writes."""
        return redact(json.dumps(asdict(self), indent=2, sort_keys=True)).encode()

    def fields(self) -> dict[str, Any]:
        """Every field as stored (JSON values) but `authentication`: what its MACs cover.

        For a manifest read from the bucket, the bytes read (not a re-encoding of them).
        """
        stored = getattr(self, "_stored", None)
        data = stored if stored is not None else json.loads(self.to_bytes())
        return {name: value for name, value in data.items() if name != AUTHENTICATION}

    @classmethod
    def from_bytes(cls, raw: bytes, backup_id: str = "") -> Manifest:
        """Parses a stored manifest; `backup_id` (where it was found) names it in errors."""
        where = f"backup {backup_id}: " if backup_id else ""
        try:
            data = json.loads(raw)
            stored = dict(data)
            found = data.get("format")
            if found in UNAUTHENTICATED_FORMATS:
                raise UnauthenticatedManifest(
                    f"{where}its manifest is of the old format {found}, which carries no MAC "
                    "(anyone who can write the bucket could have written it): refused; take a "
                    "new backup (`trustctl backup run`), or restore this one by hand with "
                    "scripts/restore-without-trustctl.py --unauthenticated-v1")
            if found != FORMAT:
                raise ManifestError(f"{where}unknown manifest format {found!r}")
            # a field this version does not know stays in `_stored`: the MACs name it
            known = {f.name for f in dataclass_fields(cls)}
            _check_complete(data, known, where)
            data = {name: value for name, value in data.items() if name in known}
            data["tables"] = [TableStats(**t) for t in data["tables"]]
            data["roles"] = [Role(**r) for r in data["roles"]]
            data["extensions"] = [Extension(**e) for e in data.get("extensions", [])]
            data["table_objects"] = [TableObject(**o) for o in data.get("table_objects", [])]
            if data.get("source_identity") is not None:
                data["source_identity"] = ServerIdentity(**data["source_identity"])
            manifest = cls(**data)
            for moment in (manifest.started_at, manifest.finished_at):
                datetime.fromisoformat(moment)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(f"{where}unreadable manifest: {type(exc).__name__}: "
                                f"{exc}") from None
        manifest._stored = stored
        return manifest


# Fields a manifest of this format written before they existed lacks (read as empty).
LATER_FIELDS = frozenset({"table_objects"})


def _check_complete(data: dict[str, Any], known: set[str], where: str) -> None:
    """Every field is written (null when empty), so one that is absent was stripped, and its
    MAC with it, which the MACs alone cannot show: refused."""
    missing = sorted(known - LATER_FIELDS - {AUTHENTICATION} - data.keys())
    if missing:
        raise ManifestError(f"{where}manifest field(s) {', '.join(missing)} missing: stripped "
                            "from the manifest after it was sealed (the writer writes every "
                            "field)")
