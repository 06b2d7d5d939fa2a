"""The database backup bucket's copy in the recovery region, filled by S3 replication."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from policy_documents import allow, document, service_trust
from stack_config import StackConfig

from components.access import ACCESS_TAG
from components.hardened_bucket import HardenedBucket, Retention, log_delivery

REPLICA_ROLE = "backup-replica"  # trustctl:role of the replica bucket; the gate's checks use it
# S3 Replication Time Control: 99.99% of objects replicated within 15 minutes (AWS's SLA), so
# a regional outage loses at most the last quarter hour of backups, not the last day.
REPLICATION_MINUTES = 15


def replication_role_arn(config: StackConfig) -> str:
    """Known before the role exists: the backup key policies, made first, name it."""
    return f"arn:aws:iam::{config.aws_account_id}:role/{_replication_role_name(config)}"


def _replication_role_name(config: StackConfig) -> str:
    return f"{config.name_prefix}-backup-replication"


class BackupReplica(pulumi.ComponentResource):
    """A second, equally protected copy of every database backup, in the recovery region.

    Implements RPO-RTO for a regional outage: the replica bucket has the backup bucket's
    protections (BACKUP-DAILY-35D: Object Lock COMPLIANCE and expiry after the retention;
    BACKUP-KEY-SEPARATE: SSE-KMS under the backup key's replica; ACCESS-LOGGED: access logs to
    a log bucket of the recovery region, as S3 requires), and replication copies every object
    with its Object Lock retention, including the SSE-KMS-encrypted ones, under Replication
    Time Control. Delete markers are not replicated: a deletion in aws:region never reaches
    the copy.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        *,
        source: HardenedBucket,
        source_key_arn: pulumi.Input[str],
        replica_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("trustctl:backups:BackupReplica", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        region, prefix = config.recovery_region, config.name_prefix
        self.access_logs = HardenedBucket(
            f"{prefix}-recovery-logs",
            role="access-logs",
            kms_key_arn=None,
            access_log_bucket=None,
            retention=Retention(days=config.audit_log_retention_days),
            extra_statements=log_delivery(config.aws_account_id),
            region=region,
            opts=child,
        )
        self.replica = HardenedBucket(
            f"{prefix}-backups-replica",
            role=REPLICA_ROLE,
            kms_key_arn=replica_key_arn,
            access_log_bucket=self.access_logs.bucket,
            retention=Retention(days=config.backup_retention_days, locked=True),
            region=region,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-replication",
            name=_replication_role_name(config),
            description="S3 replication of the database backup bucket to the recovery region.",
            assume_role_policy=service_trust("s3.amazonaws.com", config.aws_account_id),
            tags={ACCESS_TAG: "service"},
            opts=child,
        )
        self._grant(name, role, source.bucket, source_key_arn, replica_key_arn)
        self.replication = aws.s3.BucketReplicationConfig(
            f"{name}-replication",
            bucket=source.bucket.id,
            role=role.arn,
            rules=[{
                "id": "every-backup-to-the-recovery-region",
                "status": "Enabled",
                "priority": 1,
                "filter": {},
                "delete_marker_replication": {"status": "Disabled"},
                "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                "destination": {
                    "bucket": self.replica.bucket.arn,
                    "storage_class": "STANDARD",
                    "encryption_configuration": {"replica_kms_key_id": replica_key_arn},
                    "replication_time": {"status": "Enabled",
                                         "time": {"minutes": REPLICATION_MINUTES}},
                    "metrics": {"status": "Enabled",
                                "event_threshold": {"minutes": REPLICATION_MINUTES}},
                },
            }],
            # S3 refuses replication until both buckets are versioned.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[source.versioning,
                                                                 self.replica.versioning]),
        )
        self.register_outputs({"replicaBucket": self.replica.bucket.id,
                               "recoveryRegion": region})

    def _grant(self, name: str, role: aws.iam.Role, source: aws.s3.Bucket,
               source_key_arn: pulumi.Input[str], replica_key_arn: pulumi.Input[str]) -> None:
        """Read the source's versions (with their retention), write replicas, nothing else."""
        replica = self.replica.bucket
        aws.iam.RolePolicy(
            f"{name}-replication",
            role=role.id,
            policy=document(
                allow("ReadReplicationConfiguration",
                      ["s3:GetReplicationConfiguration", "s3:ListBucket"], source.arn),
                allow("ReadSourceVersions",
                      ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
                       "s3:GetObjectVersionTagging", "s3:GetObjectRetention",
                       "s3:GetObjectLegalHold"],
                      pulumi.Output.concat(source.arn, "/*")),
                allow("WriteReplicas",
                      ["s3:ReplicateObject", "s3:ReplicateTags",
                       "s3:ObjectOwnerOverrideToBucketOwner"],
                      pulumi.Output.concat(replica.arn, "/*")),
                allow("DecryptSourceEncryptReplica",
                      ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                      [source_key_arn, replica_key_arn]),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
