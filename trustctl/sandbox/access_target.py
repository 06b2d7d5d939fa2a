"""The production roles and the audit trail, created in the sandbox's moto as infra/ declares
them, so `trustctl access-review prepare --sandbox` has principals and a trail to review.

Mirrors infra/components/access.py (the MFA-only on-call role trusted by the named on-call
principals of Pulumi.prod.yaml, the backup writer role, the AWS Backup service role),
infra/components/backups.py (the writer may only put backups) and
infra/components/audit_trail.py (a trail with S3 data events on the backup bucket). moto does
not load AWS-managed policies, so the on-call role's ViewOnlyAccess is stood in for by an
inline policy of its S3 and KMS part (list and describe only: no object data).
"""

from __future__ import annotations

import json

from trustctl.aws import AwsTarget, client
from trustctl.sandbox.backup_target import NAME_PREFIX, DeclaredBackup

ACCOUNT = "123456789012"  # moto's account, as in Pulumi.prod.yaml
ON_CALL_PRINCIPALS = (f"arn:aws:iam::{ACCOUNT}:role/oncall-alice",
                      f"arn:aws:iam::{ACCOUNT}:role/oncall-bob")
BACKUP_RUNNER = f"arn:aws:iam::{ACCOUNT}:role/{NAME_PREFIX}-backup-runner"
AUDIT_LOG_BUCKET = f"{NAME_PREFIX}-audit-logs"
TRAIL = f"{NAME_PREFIX}-trail"
MFA_MAX_AGE_SECONDS = "3600"


def declare(target: AwsTarget, backup: DeclaredBackup) -> None:
    """Create the roles and the trail at `target` (moto already holding the backup bucket)."""
    iam = client("iam", target)
    _role(iam, "on-call", _trust({"AWS": list(ON_CALL_PRINCIPALS)}, {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": MFA_MAX_AGE_SECONDS}}),
        [{"Effect": "Allow", "Resource": "*",
          "Action": ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetBucketLocation",
                     "kms:DescribeKey", "kms:ListAliases"]}])
    _role(iam, "backup-writer", _trust({"AWS": [BACKUP_RUNNER]}), [
        {"Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": f"arn:aws:s3:::{backup.bucket}/*"},
        {"Effect": "Allow", "Action": ["s3:ListBucket"],
         "Resource": f"arn:aws:s3:::{backup.bucket}"},
    ])
    _role(iam, "aws-backup", _trust({"Service": "backup.amazonaws.com"}), [
        {"Effect": "Allow", "Resource": "*",
         "Action": ["backup:StartBackupJob", "backup:DescribeBackupVault"]}])
    _trail(target, backup.bucket)


def _role(iam: object, name: str, trust: dict, statements: list[dict]) -> None:
    role = f"{NAME_PREFIX}-{name}"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=role, PolicyName=f"{role}-policy", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))


def _trust(principal: dict, condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _trail(target: AwsTarget, watched_bucket: str) -> None:
    s3 = client("s3", target)
    create = {"Bucket": AUDIT_LOG_BUCKET}
    if target.region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    s3.create_bucket(**create)
    cloudtrail = client("cloudtrail", target)
    cloudtrail.create_trail(Name=TRAIL, S3BucketName=AUDIT_LOG_BUCKET, IsMultiRegionTrail=True,
                            IncludeGlobalServiceEvents=True, EnableLogFileValidation=True)
    cloudtrail.put_event_selectors(TrailName=TRAIL, EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object",
                           "Values": [f"arn:aws:s3:::{watched_bucket}/"]}]}])
    cloudtrail.start_logging(Name=TRAIL)
