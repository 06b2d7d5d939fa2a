"""The rest of the sandbox's AWS account, as infra/ declares it, so `trustctl audit --sandbox`
has a whole compliant account to audit: a data key, the file-storage, access-log and audit-log
buckets, the tags the checks key on, account-level Block Public Access, an AWS Backup vault
(backup key, locked) with a daily 35-day plan, a logging multi-region trail with S3 read data
events, the MFA-only on-call role, the backup writer and AWS Backup service roles, and a
private subnet. Tests build their accounts with it too and then break one thing at a time;
`trustctl access-review prepare --sandbox` reviews its roles.

moto does not load AWS-managed policies, so the on-call role's ViewOnlyAccess is stood in for
by an inline policy of its S3 and KMS part (list and describe only: no object data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from trustctl.aws import AwsTarget, client, reach_local_s3control
from trustctl.catalog import page_figures
from trustctl.sandbox.backup_target import NAME_PREFIX, DeclaredBackup

ACCOUNT = "123456789012"  # moto's account, as in Pulumi.prod.yaml
ON_CALL_PRINCIPALS = (f"arn:aws:iam::{ACCOUNT}:role/oncall-alice",
                      f"arn:aws:iam::{ACCOUNT}:role/oncall-bob")
BACKUP_RUNNER = f"arn:aws:iam::{ACCOUNT}:role/{NAME_PREFIX}-backup-runner"
MFA_MAX_AGE_SECONDS = "3600"
FILE_BUCKET = f"{NAME_PREFIX}-file-storage"
LOG_BUCKET = f"{NAME_PREFIX}-access-logs"
TRAIL_BUCKET = f"{NAME_PREFIX}-audit-logs"
VAULT = f"{NAME_PREFIX}-backups"
TRAIL = f"{NAME_PREFIX}-trail"
ON_CALL_ROLE = f"{NAME_PREFIX}-on-call"
PAB = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
       "RestrictPublicBuckets": True}


@dataclass(frozen=True)
class DeclaredAccount:
    data_key_arn: str
    backup_key_arn: str
    file_bucket: str
    backup_bucket: str
    vault: str
    trail: str
    on_call_role: str
    private_subnet: str


def declare_account(target: AwsTarget, backup: DeclaredBackup) -> DeclaredAccount:
    """Everything but the backup key and bucket (backup_target.declare makes those first)."""
    kms, s3 = client("kms", target), client("s3", target)
    kms.tag_resource(KeyId=backup.key_id, Tags=[{"TagKey": "trustctl:purpose",
                                                 "TagValue": "backup"}])
    data_key = kms.create_key(Description=f"{NAME_PREFIX}: data", Tags=[
        {"TagKey": "trustctl:purpose", "TagValue": "data"}])["KeyMetadata"]
    kms.enable_key_rotation(KeyId=data_key["KeyId"],
                            RotationPeriodInDays=page_figures().key_rotation_days)
    account = client("sts", target).get_caller_identity()["Account"]
    reach_local_s3control(client("s3control", target)).put_public_access_block(AccountId=account,
                                               PublicAccessBlockConfiguration=PAB)
    hardened_bucket(s3, target, LOG_BUCKET, "access-logs", None, log_to=None)
    hardened_bucket(s3, target, FILE_BUCKET, "customer-data", data_key["Arn"], log_to=LOG_BUCKET)
    hardened_bucket(s3, target, TRAIL_BUCKET, "audit-logs", data_key["Arn"], log_to=LOG_BUCKET)
    _harden_existing(s3, backup.bucket, log_to=LOG_BUCKET)
    _aws_backup(target, backup.key_arn)
    _trail(target, data_key["Arn"], [FILE_BUCKET, backup.bucket])
    _roles(target, backup.bucket)
    subnet = _private_network(target)
    return DeclaredAccount(data_key["Arn"], backup.key_arn, FILE_BUCKET, backup.bucket, VAULT,
                           TRAIL, ON_CALL_ROLE, subnet)


def tls_only_policy(bucket: str, receives_logs: bool = False) -> str:
    """Deny plain HTTP; the access-log bucket also lets S3's logging service write to it."""
    statements = [{
        "Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    if receives_logs:
        statements.append({"Sid": "S3ServerAccessLogs", "Effect": "Allow",
                           "Principal": {"Service": "logging.s3.amazonaws.com"},
                           "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def hardened_bucket(s3: object, target: AwsTarget, name: str, role: str, key_arn: str | None,
                    log_to: str | None) -> None:
    """A bucket as infra's HardenedBucket makes it (tag, encryption, no public access,
    versioning, TLS-only, access logs to `log_to`)."""
    create = {"Bucket": name}
    if target.region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    s3.create_bucket(**create)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "trustctl:role",
                                                             "Value": role}]})
    default = ({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn} if key_arn
               else {"SSEAlgorithm": "AES256"})
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bool(key_arn)}]})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PAB)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=name, Policy=tls_only_policy(name, role == "access-logs"))
    if log_to:
        s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={"LoggingEnabled": {
            "TargetBucket": log_to, "TargetPrefix": f"{name}/"}})


def _harden_existing(s3: object, bucket: str, log_to: str) -> None:
    """The backup bucket's tag and access logging. Not its TLS-only policy: moto evaluates a
    Deny statement without its aws:SecureTransport condition, so the policy would refuse the
    sandbox's own backups (which reach moto over plain HTTP); `audit --sandbox` says so."""
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "trustctl:role",
                                                               "Value": "backup"}]})
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": log_to, "TargetPrefix": f"{bucket}/"}})


def _aws_backup(target: AwsTarget, backup_key_arn: str) -> None:
    backup, days = client("backup", target), page_figures().backup_retention_days
    backup.create_backup_vault(BackupVaultName=VAULT, EncryptionKeyArn=backup_key_arn)
    backup.put_backup_vault_lock_configuration(
        BackupVaultName=VAULT, MinRetentionDays=days, ChangeableForDays=3)
    backup.create_backup_plan(BackupPlan={"BackupPlanName": f"{NAME_PREFIX}-daily", "Rules": [{
        "RuleName": "daily", "TargetBackupVaultName": VAULT,
        "ScheduleExpression": "cron(0 3 * * ? *)",
        "Lifecycle": {"DeleteAfterDays": days}}]})


def _trail(target: AwsTarget, key_arn: str, data_buckets: list[str]) -> None:
    trail = client("cloudtrail", target)
    trail.create_trail(Name=TRAIL, S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=True,
                       EnableLogFileValidation=True, KmsKeyId=key_arn)
    trail.put_event_selectors(TrailName=TRAIL, EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object",
                           "Values": [f"arn:aws:s3:::{b}/" for b in data_buckets]}]}])
    trail.start_logging(Name=TRAIL)


def _roles(target: AwsTarget, backup_bucket: str) -> None:
    """The MFA-only on-call role (ViewOnly stand-in), the backup writer, AWS Backup's role."""
    iam = client("iam", target)
    _role(iam, ON_CALL_ROLE, {"AWS": list(ON_CALL_PRINCIPALS)}, {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": MFA_MAX_AGE_SECONDS}},
        [{"Effect": "Allow", "Resource": "*",
          "Action": ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetBucketLocation",
                     "kms:DescribeKey", "kms:ListAliases"]}],
        tags=[{"Key": "trustctl:access", "Value": "staff"}])
    _role(iam, f"{NAME_PREFIX}-backup-writer", {"AWS": [BACKUP_RUNNER]}, None, [
        {"Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": f"arn:aws:s3:::{backup_bucket}/*"},
        {"Effect": "Allow", "Action": ["s3:ListBucket"],
         "Resource": f"arn:aws:s3:::{backup_bucket}"}])
    _role(iam, f"{NAME_PREFIX}-aws-backup", {"Service": "backup.amazonaws.com"}, None, [
        {"Effect": "Allow", "Resource": "*",
         "Action": ["backup:StartBackupJob", "backup:DescribeBackupVault"]}])


def _role(iam: object, name: str, principal: dict, condition: dict | None,
          statements: list[dict], tags: list[dict] | None = None) -> None:
    trust = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        trust["Condition"] = condition
    iam.create_role(RoleName=name, MaxSessionDuration=3600, Tags=tags or [],
                    AssumeRolePolicyDocument=json.dumps(
                        {"Version": "2012-10-17", "Statement": [trust]}))
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))


def _private_network(target: AwsTarget) -> str:
    ec2 = client("ec2", target)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.0.0/20", TagSpecifications=[{
        "ResourceType": "subnet", "Tags": [{"Key": "trustctl:tier", "Value": "private"}]}],
    )["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return subnet
