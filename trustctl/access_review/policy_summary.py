"""IAM policy documents summarized to data access: which S3 buckets, KMS keys and backup vaults,
at which level (list < read < write < admin).

An action pattern counts at the widest level any action it matches has (`s3:Get*` reads
objects, `s3:*` administers the bucket). Deny statements are not subtracted: the review shows
the widest access the Allows grant, which is what a reviewer must justify.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from trustctl.access_review.inventory import level_rank

# Representative actions per data service and level; a pattern's level is the widest it matches.
ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "s3": {
        "list": ("s3:ListBucket", "s3:GetBucketLocation", "s3:ListAllMyBuckets"),
        "read": ("s3:GetObject", "s3:GetObjectVersion", "s3:RestoreObject",
                 "s3:SelectObjectContent"),
        "write": ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
                  "s3:ReplicateObject"),
        "admin": ("s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutBucketAcl",
                  "s3:PutObjectRetention", "s3:BypassGovernanceRetention",
                  "s3:PutLifecycleConfiguration"),
    },
    "kms": {
        "list": ("kms:DescribeKey", "kms:ListAliases", "kms:GetKeyPolicy"),
        "read": ("kms:Decrypt", "kms:ReEncryptFrom"),
        "write": ("kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"),
        "admin": ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey",
                  "kms:CreateGrant"),
    },
    "backup": {
        "list": ("backup:ListRecoveryPointsByBackupVault", "backup:DescribeBackupVault"),
        "read": ("backup:StartRestoreJob", "backup:GetRecoveryPointRestoreMetadata",
                 "backup:StartCopyJob"),
        "write": ("backup:StartBackupJob",),
        "admin": ("backup:DeleteRecoveryPoint", "backup:DeleteBackupVault",
                  "backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVaultLockConfiguration"),
    },
}


@dataclass(frozen=True)
class DataAccess:
    """A data store (s3:<bucket>, kms:<key>, backup:<vault>, or <service>:* for all) and level."""

    resource: str
    level: str


def parse_document(document: str | dict[str, Any]) -> dict[str, Any]:
    """A policy document as IAM returns it: a dict, JSON text, or URL-encoded JSON text."""
    if isinstance(document, dict):
        return document
    text = document if document.lstrip().startswith("{") else unquote(document)
    return json.loads(text)


def summarize(documents: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """The widest level per data store over the Allow statements of all `documents`."""
    widest: dict[str, str] = {}
    for document in documents:
        for statement in as_list(document.get("Statement")):
            if statement.get("Effect") != "Allow":
                continue
            for access in _statement_access(statement):
                kept = widest.get(access.resource)
                if kept is None or level_rank(access.level) > level_rank(kept):
                    widest[access.resource] = access.level
    return [(resource, widest[resource]) for resource in sorted(widest)]


def _statement_access(statement: dict[str, Any]) -> list[DataAccess]:
    if "NotAction" in statement:  # everything but some actions: assume the widest
        levels = {service: "admin" for service in ACTIONS}
    else:
        levels = _levels(as_list(statement.get("Action")))
    resources = ["*"] if "NotResource" in statement else as_list(statement.get("Resource"))
    found = []
    for service, level in levels.items():
        for resource in resources:
            name = _data_store(service, resource)
            if name is not None:
                found.append(DataAccess(name, level))
    return found


def _levels(patterns: list[str]) -> dict[str, str]:
    """Per data service, the widest level the action patterns reach."""
    levels: dict[str, str] = {}
    for pattern in patterns:
        for service, by_level in ACTIONS.items():
            for level, actions in by_level.items():
                if any(fnmatch.fnmatchcase(a.lower(), pattern.lower()) for a in actions) and (
                        service not in levels or level_rank(level) > level_rank(levels[service])):
                    levels[service] = level
    return levels


def _data_store(service: str, resource: str) -> str | None:
    """`s3:<bucket>` etc. for a resource ARN of `service`; `<service>:*` for a wildcard."""
    if resource == "*" or resource == "arn:aws:*":
        return f"{service}:*"
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[2] != service:
        return None
    rest = parts[5]
    if service == "s3":
        bucket = rest.split("/", 1)[0]
        return f"s3:{bucket}" if bucket else None
    if service == "kms":
        return f"kms:{rest}"  # key/<id>, alias/<name> or a wildcard
    if service == "backup" and rest.startswith("backup-vault:"):
        return f"backup:{rest.removeprefix('backup-vault:')}"
    return None


def as_list(value: Any) -> list:
    """A policy field that may be one value or a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
