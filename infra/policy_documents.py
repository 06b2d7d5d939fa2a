"""IAM/KMS/S3 policy documents as plain dicts, serialised with Output.json_dumps.

`aws.iam.get_policy_document` is a provider call: it needs a running provider and would not
work offline (gate, tests). Building the JSON here keeps every policy readable in one place
and lets values that are still Outputs (ARNs, bucket names) sit inside the document.
"""

from __future__ import annotations

from typing import Any

import pulumi

Statement = dict[str, Any]


def document(*statements: Statement) -> pulumi.Output[str]:
    """A policy document (version 2012-10-17) holding the given statements, as JSON."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(sid: str, actions: list[str], resources: Any = "*", **extra: Any) -> Statement:
    """An Allow statement; `extra` adds Principal/Condition (already in IAM spelling)."""
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def deny(sid: str, actions: list[str], resources: Any, **extra: Any) -> Statement:
    """A Deny statement; a deny wins over any allow, so it states what may never happen."""
    return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resources, **extra}


def account_root(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def service_trust(service: str, source_account: str | None = None) -> pulumi.Output[str]:
    """Trust policy letting one AWS service assume a role.

    `source_account` adds the confused-deputy guard, for services that send aws:SourceAccount.
    """
    trust: Statement = {
        "Sid": "ServiceAssumesRole",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_account is not None:
        trust["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return document(trust)
