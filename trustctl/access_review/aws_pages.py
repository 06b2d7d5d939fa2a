"""Every page of a boto3 list call, through its paginator when boto3 has one."""

from __future__ import annotations

from typing import Any


def pages(aws_client: Any, operation: str, key: str, **kwargs: Any) -> list:
    """All items under `key` of every page of `operation`."""
    if aws_client.can_paginate(operation):
        return [item for page in aws_client.get_paginator(operation).paginate(**kwargs)
                for item in page.get(key, [])]
    return list(getattr(aws_client, operation)(**kwargs).get(key, []))
