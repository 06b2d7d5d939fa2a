"""The backup manifest: what a backup is, written last so that its presence means "complete".

It names the source without credentials, the stored object (key, version, size, SHA-256), the
KMS key and wrapped data key, the encryption context, the per-table row counts and checksums,
the roles to recreate, the extensions a restore target needs and the schemas left out
(--exclude-schema), plus tool and pg_dump versions. The drill trusts nothing else.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from trustctl.archive.inventory import Extension, Role, TableStats
from trustctl.errors import FindingError
from trustctl.redaction import redact

FORMAT = "trustctl-backup-manifest/1"


class ManifestError(FindingError):
    """The manifest is unreadable or incomplete."""


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
    format: str = FORMAT

    @property
    def wrapped_key_bytes(self) -> bytes:
        return base64.b64decode(self.wrapped_data_key)

    @property
    def finished(self) -> datetime:
        return datetime.fromisoformat(self.finished_at)

    def to_bytes(self) -> bytes:
        """The stored manifest, redacted like every other record trustctl writes."""
        return redact(json.dumps(asdict(self), indent=2, sort_keys=True)).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ManifestError(f"unknown manifest format {data.get('format')!r}")
            data["tables"] = [TableStats(**t) for t in data["tables"]]
            data["roles"] = [Role(**r) for r in data["roles"]]
            data["extensions"] = [Extension(**e) for e in data.get("extensions", [])]
            manifest = cls(**data)
            datetime.fromisoformat(manifest.finished_at)
        except (ValueError, KeyError, TypeError) as exc:
            raise ManifestError(f"unreadable manifest: {type(exc).__name__}: {exc}") from None
        return manifest
