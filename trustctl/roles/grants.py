"""What the estate's IAM policies grant on S3 buckets and KMS keys, read from the policy JSON.

Roles are decided by what resources do to each other (roles/rules.py); a grant is one of those
acts: the backup writer writes the backup bucket and encrypts under the backup key, and can
neither read nor delete what it wrote. Policies name buckets and keys by ARN strings, which
are matched here to the declared resources by the names those resources go by.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

POLICY_TYPES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy",
                "aws_iam_group_policy")
WRITE, READ, DELETE = "s3:putobject", "s3:getobject", "s3:deleteobject"
ENCRYPT = ("kms:generatedatakey", "kms:encrypt")


@dataclass(frozen=True)
class Grant:
    """One Allow statement's actions on one resource ARN, in the policy at `address`."""

    address: str
    actions: frozenset[str]  # lower-cased, wildcards kept
    resource: str

    def allows(self, action: str) -> bool:
        return any(fnmatch.fnmatchcase(action, pattern) for pattern in self.actions)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _document(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def policy_grants(address: str, policy: Any) -> list[Grant]:
    """The Allow statements of a policy document (a JSON string or an object)."""
    document = _document(policy)
    if document is None:
        return []
    grants = []
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = frozenset(a.lower() for a in _as_list(statement.get("Action"))
                            if isinstance(a, str))
        grants += [Grant(address, actions, r) for r in _as_list(statement.get("Resource"))
                   if isinstance(r, str)]
    return grants


def bucket_named(arn: str) -> str | None:
    """`arn:aws:s3:::name` or `arn:aws:s3:::name/prefix/*` -> name; None for another ARN."""
    if not arn.startswith("arn:aws:s3:::"):
        return None
    return arn.removeprefix("arn:aws:s3:::").split("/", 1)[0] or None


def key_named(arn: str) -> str | None:
    """`arn:aws:kms:region:account:key/id` -> id; None for another ARN."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "kms" or not parts[5].startswith("key/"):
        return None
    return parts[5].removeprefix("key/")
