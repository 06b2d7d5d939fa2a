"""The backup record's facts (`backup/2`): the backup's manifest, without its wrapped data key.

Written by trustctl/backup/record.py for every complete backup (BACKUP-DAILY-35D's daily
evidence). The tables, roles and extensions stay as the manifest holds them (archive/).
The fields are listed here rather than derived from the Manifest: `backup/1` is a fixed shape,
so a field added to the manifest fails the backup's record (an unknown field is refused) until
it is given a new schema, instead of changing what an old schema means under old records.
`backup/2` added the directory format's table objects; `backup/1` records still read.
"""

from __future__ import annotations

from typing import Literal

from trustctl.records.facts.shape import Facts, Moment, Raw


class BackupFactsV1(Facts):
    KIND = "backup"
    SCHEMA = "backup/1"

    format: Literal["trustctl-backup-manifest/2"]
    backup_id: str
    source: str
    started_at: Moment
    finished_at: Moment
    object_key: str
    object_version: str | None
    object_bytes: int
    object_sha256: str
    dump_bytes: int
    kms_key_id: str
    encryption_context: dict[str, str]
    compression: str
    dump_format: str
    tool_version: str
    pg_dump_version: str
    server_version: str
    tables: list[Raw]
    roles: list[Raw]
    retain_until: str | None  # as the bucket's Object Lock said it
    excluded_schemas: list[str]
    extensions: list[Raw]
    source_identity: Raw | None
    authentication: Raw | None


class BackupFacts(BackupFactsV1):
    SCHEMA = "backup/2"

    table_objects: list[Raw]  # the directory format's one object per table (archive/manifest.py)
