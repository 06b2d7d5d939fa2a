"""Customer-managed KMS keys: one for customer data, one for backups, one for audit logs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from policy_documents import Statement, account_root, allow, document
from stack_config import StackConfig

from trustctl.archive.binding import CONTEXT_KEYS
from trustctl.catalog import page_figures

# The encryption context keys `trustctl backup` passes with every data key request
# (trustctl/archive/binding.py: backup id, object key, creation time). The backup key policy
# requires them and allows no others, so the writer cannot use the backup key for anything but
# backups.
BACKUP_ENCRYPTION_CONTEXT_KEYS = CONTEXT_KEYS

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


@dataclass(frozen=True)
class BackupKeyUsers:
    """The roles that may use the backup key (and its replica), each for one purpose."""

    aws_backup: pulumi.Input[str]  # AWS Backup's service role: vaults, plans, copies
    backup_job: pulumi.Input[str]  # wraps data keys (`trustctl backup`)
    drill_job: pulumi.Input[str]  # unwraps them (`trustctl drill`, and a restore in an outage)
    audit_job: pulumi.Input[str]  # reads manifests through S3
    replication: str  # S3 replication of the backup bucket (named by ARN: made after the keys)


class Keys(pulumi.ComponentResource):
    """Three customer-managed AES-256 keys with yearly rotation, each usable only where needed.

    Implements ENC-AT-REST (customer data key, used by S3 only; rotation on) and
    BACKUP-KEY-SEPARATE (a separate backup key that only AWS Backup, the scheduled jobs and S3
    replication can use: the backup job wraps data keys, the drill unwraps them, the audit reads
    manifests through S3, replication copies backups). The audit key encrypts CloudTrail and
    VPC flow logs (supports ACCESS-LOGGED).

    RPO-RTO in a regional outage: the backup key is a multi-Region key with a replica in the
    recovery region, so a backup sealed in aws:region decrypts there with no call to
    aws:region. The customer data key stays single-Region: AWS Backup encrypts S3 recovery
    points (and their cross-region copies) with the vault's key, the backup key replica.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        roles: BackupKeyUsers,
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
            *self._backup_use(region, roles),
            multi_region=True,
        )
        self.backup_key_replica = self._replica(
            f"{name}-backups", "backup", self.backup_key, config.recovery_region,
            "Backups only, in the recovery region: the recovery vault and the replica bucket.",
            *self._backup_use(config.recovery_region, roles),
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
            "backupKeyReplicaArn": self.backup_key_replica.arn,
            "auditKeyArn": self.audit_key.arn,
        })

    def _backup_use(self, region: str, roles: BackupKeyUsers) -> list[Statement]:
        """Who may use the backup key (or its replica) in `region`, and only through what."""
        via_s3 = f"s3.{region}.amazonaws.com"
        return [
            allow("AwsBackupThroughBackupService", USE_ACTIONS,
                  Principal={"AWS": roles.aws_backup},
                  Condition={"StringEquals": {"kms:ViaService": f"backup.{region}.amazonaws.com"}}),
            allow("AwsBackupGrantsForItsResources", ["kms:CreateGrant"],
                  Principal={"AWS": roles.aws_backup},
                  Condition={"Bool": {"kms:GrantIsForAWSResource": "true"}}),
            allow("BackupJobWrapsDataKeys", ["kms:GenerateDataKey"],
                  Principal={"AWS": roles.backup_job}, Condition=_BACKUP_CONTEXT),
            allow("BackupJobEncryptsThroughS3", ["kms:GenerateDataKey", "kms:Decrypt"],
                  Principal={"AWS": roles.backup_job},
                  Condition={"StringEquals": {"kms:ViaService": via_s3}}),
            allow("DrillJobUnwrapsDataKeys", ["kms:Decrypt"],
                  Principal={"AWS": roles.drill_job}, Condition=_BACKUP_CONTEXT),
            allow("ReadersDecryptThroughS3", ["kms:Decrypt"],
                  Principal={"AWS": [roles.drill_job, roles.audit_job]},
                  Condition={"StringEquals": {"kms:ViaService": via_s3}}),
            # Replication decrypts in the source region and re-encrypts in the replica's. KMS
            # refuses a principal that does not exist yet, so the role is named in a condition.
            allow("S3ReplicationThroughS3", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                  Principal={"AWS": account_root(self._config.aws_account_id)},
                  Condition={"StringEquals": {"kms:ViaService": via_s3,
                                              "aws:PrincipalArn": roles.replication}}),
        ]

    def _key(self, name: str, purpose: str, description: str, *use: Statement,
             multi_region: bool = False) -> aws.kms.Key:
        """A symmetric AES-256 key with rotation, an administration statement and an alias.

        The `trustctl:purpose` tag is how the gate's checks recognise the backup key.
        A multi-Region key replaces a single-Region one (AWS cannot convert a key): the old key
        is retained on delete, because the backups of the retention period are sealed with it;
        schedule its deletion by hand once they have expired (README, disaster runbook).
        """
        key = aws.kms.Key(
            name,
            description=f"{self._config.name_prefix}: {description}",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            key_usage="ENCRYPT_DECRYPT",
            enable_key_rotation=True,
            rotation_period_in_days=page_figures().key_rotation_days,
            deletion_window_in_days=self._config.kms_deletion_window_days,
            multi_region=multi_region,
            tags={PURPOSE_TAG: purpose},
            policy=self._policy(*use),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=multi_region),
        )
        self._alias(name, key.key_id)
        return key

    def _replica(self, name: str, purpose: str, primary: aws.kms.Key, region: str,
                 description: str, *use: Statement) -> aws.kms.ReplicaKey:
        """The replica of a multi-Region key in `region`: same key material, its own policy."""
        replica = aws.kms.ReplicaKey(
            f"{name}-replica",
            region=region,
            primary_key_arn=primary.arn,
            description=f"{self._config.name_prefix}: {description}",
            deletion_window_in_days=self._config.kms_deletion_window_days,
            tags={PURPOSE_TAG: purpose},
            policy=self._policy(*use),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._alias(f"{name}-replica", replica.key_id, region)
        return replica

    def _policy(self, *use: Statement) -> pulumi.Output[str]:
        """Administration by the account without use, then the key's own use statements."""
        return document(
            allow("AccountAdministersWithoutUse", KEY_ADMIN_ACTIONS,
                  Principal={"AWS": account_root(self._config.aws_account_id)}),
            *use,
        )

    def _alias(self, name: str, key_id: pulumi.Input[str], region: str | None = None) -> None:
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{self._config.name_prefix}-{name}",
            target_key_id=key_id,
            region=region,
            opts=pulumi.ResourceOptions(parent=self),
        )
