"""Customer-managed KMS keys: one for customer data, one for backups, one for audit logs."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from policy_documents import Statement, account_root, allow, document
from stack_config import StackConfig

from trustctl.promises import KEY_ROTATION_DAYS

# The encryption context keys `trustctl backup` passes with every data key request
# (trustctl/backup/run.py: backup id and object key). The backup key policy requires them and
# allows no others, so the writer cannot use the backup key for anything but backups.
BACKUP_ENCRYPTION_CONTEXT_KEYS = ("trustctl:backup-id", "trustctl:object")

# Administration without use: the account (through IAM) can manage the key, rotate it,
# schedule its deletion, but cannot encrypt or decrypt with it. Use is granted per key below.
KEY_ADMIN_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
    "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
]
PURPOSE_TAG = "trustctl:purpose"
# Data keys of backups are wrapped and unwrapped only under trustctl's encryption context.
_BACKUP_CONTEXT = {
    "ForAllValues:StringEquals": {
        "kms:EncryptionContextKeys": list(BACKUP_ENCRYPTION_CONTEXT_KEYS)},
    "Null": {f"kms:EncryptionContext:{BACKUP_ENCRYPTION_CONTEXT_KEYS[0]}": "false"},
}
USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
               "kms:DescribeKey"]


class Keys(pulumi.ComponentResource):
    """Three customer-managed AES-256 keys with yearly rotation, each usable only where needed.

    Implements ENC-AT-REST (customer data key, used by S3 only; rotation on) and
    BACKUP-KEY-SEPARATE (a separate backup key that only AWS Backup and the scheduled jobs
    can use: the backup job wraps data keys, the drill unwraps them, the audit reads
    manifests through S3). The audit key encrypts
    CloudTrail and VPC flow logs (supports ACCESS-LOGGED).
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        aws_backup_role_arn: pulumi.Input[str],
        backup_job_role_arn: pulumi.Input[str],
        drill_job_role_arn: pulumi.Input[str],
        audit_job_role_arn: pulumi.Input[str],
        trail_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("trustctl:keys:Keys", name, None, opts)
        self._config = config
        region, account = config.aws_region, config.aws_account_id
        via_s3 = f"s3.{region}.amazonaws.com"

        self.data_key = self._key(
            f"{name}-customer-data",
            "customer-data",
            "Customer file storage (S3 SSE-KMS).",
            allow("UseThroughS3InThisAccount", USE_ACTIONS,
                  Principal={"AWS": account_root(account)},
                  Condition={"StringEquals": {"kms:ViaService": via_s3,
                                              "kms:CallerAccount": account}}),
        )
        self.backup_key = self._key(
            f"{name}-backups",
            "backup",
            "Backups only: the AWS Backup vault and the database backup bucket.",
            allow("AwsBackupThroughBackupService", USE_ACTIONS,
                  Principal={"AWS": aws_backup_role_arn},
                  Condition={"StringEquals": {"kms:ViaService": f"backup.{region}.amazonaws.com"}}),
            allow("AwsBackupGrantsForItsResources", ["kms:CreateGrant"],
                  Principal={"AWS": aws_backup_role_arn},
                  Condition={"Bool": {"kms:GrantIsForAWSResource": "true"}}),
            allow("BackupJobWrapsDataKeys", ["kms:GenerateDataKey"],
                  Principal={"AWS": backup_job_role_arn}, Condition=_BACKUP_CONTEXT),
            allow("BackupJobEncryptsThroughS3", ["kms:GenerateDataKey", "kms:Decrypt"],
                  Principal={"AWS": backup_job_role_arn},
                  Condition={"StringEquals": {"kms:ViaService": via_s3}}),
            allow("DrillJobUnwrapsDataKeys", ["kms:Decrypt"],
                  Principal={"AWS": drill_job_role_arn}, Condition=_BACKUP_CONTEXT),
            allow("ReadersDecryptThroughS3", ["kms:Decrypt"],
                  Principal={"AWS": [drill_job_role_arn, audit_job_role_arn]},
                  Condition={"StringEquals": {"kms:ViaService": via_s3}}),
        )
        trail_arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{trail_name}"
        self.audit_key = self._key(
            f"{name}-audit-logs",
            "audit-logs",
            "Audit logs: CloudTrail and VPC flow logs.",
            allow("CloudTrailEncryptsItsLogs", ["kms:GenerateDataKey*"],
                  Principal={"Service": "cloudtrail.amazonaws.com"},
                  Condition={
                      "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                     f"arn:aws:cloudtrail:*:{account}:trail/*"},
                      "StringEquals": {"aws:SourceArn": trail_arn},
                  }),
            allow("CloudTrailDescribesKey", ["kms:DescribeKey"],
                  Principal={"Service": "cloudtrail.amazonaws.com"}),
            allow("CloudWatchLogsEncryptsLogGroups",
                  ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                   "kms:Describe*"],
                  Principal={"Service": f"logs.{region}.amazonaws.com"},
                  Condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                         f"arn:aws:logs:{region}:{account}:log-group:*"}}),
            allow("AccountReadsTrailLogs", ["kms:Decrypt", "kms:ReEncryptFrom"],
                  Principal={"AWS": account_root(account)},
                  Condition={
                      "StringEquals": {"kms:CallerAccount": account},
                      "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                     f"arn:aws:cloudtrail:*:{account}:trail/*"},
                  }),
            allow("UseThroughS3InThisAccount", USE_ACTIONS,
                  Principal={"AWS": account_root(account)},
                  Condition={"StringEquals": {"kms:ViaService": via_s3,
                                              "kms:CallerAccount": account}}),
        )
        self.register_outputs({
            "dataKeyArn": self.data_key.arn,
            "backupKeyArn": self.backup_key.arn,
            "auditKeyArn": self.audit_key.arn,
        })

    def _key(self, name: str, purpose: str, description: str, *use: Statement) -> aws.kms.Key:
        """A symmetric AES-256 key with rotation, an administration statement and an alias.

        The `trustctl:purpose` tag is how the gate's checks recognise the backup key.
        """
        account = self._config.aws_account_id
        key = aws.kms.Key(
            name,
            description=f"{self._config.name_prefix}: {description}",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            key_usage="ENCRYPT_DECRYPT",
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_DAYS,
            deletion_window_in_days=self._config.kms_deletion_window_days,
            tags={PURPOSE_TAG: purpose},
            policy=document(
                allow("AccountAdministersWithoutUse", KEY_ADMIN_ACTIONS,
                      Principal={"AWS": account_root(account)}),
                *use,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{self._config.name_prefix}-{name}",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key
