"""REQUIRED_ACTIONS (what the read-only audit role of issue 15 grants) names every AWS API the
audit calls, and nothing that writes."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
from botocore import xform_name

from trustctl.audit import accounts, aws_calls, aws_iam, aws_reader
from trustctl.audit.aws_reader import REQUIRED_ACTIONS

# IAM action names that differ from the API operation's name
IAM_NAME = {
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}
CALL = re.compile(r'(?:call|pages|paged)\(\s*"([a-z0-9]+)",\s*"([a-z0-9_]+)"')


def _called() -> set[str]:
    session = botocore.session.get_session()
    found = set()
    calls = [call for module in (aws_calls, aws_reader, aws_iam, accounts)
             for call in CALL.findall(Path(module.__file__).read_text())]
    calls += [("s3", api) for reads in (aws_reader.BUCKET_READS, aws_reader.BACKUP_BUCKET_READS)
              for api, _ in reads.values()]
    for service, api in calls:
        model = session.get_service_model(service)
        operation = next(o for o in model.operation_names if xform_name(o) == api)
        found.add(IAM_NAME.get((service, operation), f"{service}:{operation}"))
    return found


def test_every_call_is_a_required_action_and_nothing_more():
    called = _called()
    assert called <= set(REQUIRED_ACTIONS)
    # not through call()/pages(): the assumed role's session, BackupStore reading manifests
    assert set(REQUIRED_ACTIONS) - called == {"sts:AssumeRole", "kms:Decrypt", "s3:ListBucket",
                                              "s3:GetObject"}


def test_required_actions_only_read():
    writes = [a for a in REQUIRED_ACTIONS if not a.split(":")[1].startswith(
        ("Get", "List", "Describe", "Generate"))]
    assert writes == ["sts:AssumeRole", "kms:Decrypt"]  # both needed only to read
