"""Readers for IAM policy documents, shared by the checks that judge who may do what.

A document arrives as checkov parsed it (a dict) or as the JSON string the plan holds. Actions
and resources are matched the way IAM does: case-insensitive wildcards for actions, wildcards
for resources; `NotAction` grants everything it does not name, so it counts as `*`.

This module registers no check; checkov imports it like any file of the checks folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from trust_check_support import items, unwrap

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
POLICY_FIELDS = {"aws_iam_policy": "policy", "aws_iam_role_policy": "policy",
                 "aws_iam_user_policy": "policy", "aws_iam_group_policy": "policy"}


@dataclass(frozen=True)
class Grant:
    """One Allow statement: what it lets a principal do, on what, under which conditions."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: dict[str, Any]

    def allows(self, action: str) -> bool:
        """True when one of this grant's action patterns covers the concrete `action`."""
        return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse(document: Any) -> dict[str, Any] | None:
    """A policy document as a dict, or None when it is not one (unknown until apply)."""
    document = unwrap(document)
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return None
    return document if isinstance(document, dict) else None


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def grants(document: dict[str, Any]) -> list[Grant]:
    """The Allow statements of a permissions policy."""
    found = []
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow":
            continue
        actions = ("*",) if "NotAction" in statement else tuple(
            str(a) for a in as_list(statement.get("Action")))
        resources = ("*",) if "NotResource" in statement else tuple(
            str(r) for r in as_list(statement.get("Resource")))
        found.append(Grant(str(statement.get("Sid") or index), actions, resources,
                           dict(statement.get("Condition") or {})))
    return found


def documents(resource_type: str, conf: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The permissions documents a resource holds (a policy, or a role's inline policies);
    None when it holds one the plan does not know yet."""
    if resource_type == "aws_iam_role":
        raw = [block["policy"] for block in items(conf, "inline_policy") if "policy" in block]
    else:
        raw = [conf.get(POLICY_FIELDS[resource_type])]
    parsed = [parse(d) for d in raw]
    return None if any(p is None for p in parsed) else [p for p in parsed if p]


def bucket_of(resource: str) -> str | None:
    """The bucket (pattern) an S3 resource ARN names; `*` for any; None for non-S3 ARNs."""
    if resource == "*":
        return "*"
    if not resource.startswith("arn:aws:s3:::"):
        return "*" if resource.startswith("arn:aws:s3:*") else None
    return resource.removeprefix("arn:aws:s3:::").split("/", 1)[0] or "*"


def overlapping(patterns: Iterable[str], others: Iterable[str]) -> list[str]:
    """The patterns of the first set that can name the same thing as one of the second."""
    others = list(others)
    return [p for p in patterns
            if any(fnmatchcase(p, o) or fnmatchcase(o, p) for o in others)]
