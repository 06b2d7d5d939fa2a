"""Daily, encrypted backups kept the promised days: AWS Backup for file storage, S3 for database
dumps (BACKUP-DAILY-35D)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from stack_config import StackConfig

from components.hardened_bucket import HardenedBucket, Retention
from components.keys import BACKUP_ENCRYPTION_CONTEXT_KEYS
from trustctl.catalog import page_figures

DAILY_AT_0500_UTC = "cron(0 5 * * ? *)"
MONTHLY_RESTORE_TEST = "cron(0 7 1 * ? *)"  # more often than the quarterly promise
START_WINDOW_MINUTES = 60
COMPLETION_WINDOW_MINUTES = 480
VAULT_LOCK_GRACE_DAYS = 3  # after 3 days the lock is immutable (compliance mode)


class Backups(pulumi.ComponentResource):
    """Backups that nobody can shorten or delete early, under the separate backup key.

    Implements BACKUP-DAILY-35D (AWS Backup plan: daily rule, recovery points deleted after
    exactly the retention; vault lock with that minimum retention in compliance mode; the
    database backup bucket with Object Lock COMPLIANCE and a lifecycle of the same length;
    the same for the copies in the recovery region),
    BACKUP-KEY-SEPARATE (vault and backup bucket encrypted with the backup key, and only they
    use it) and RPO-RTO (an AWS Backup restore testing plan, and an Audit Manager framework
    whose controls restate the promises: daily, 35 days, encrypted, vault-locked, a recovery
    point at most one day old, restores within the RTO). For a regional outage (RPO-RTO), the
    plan copies every recovery point to a locked vault in the recovery region, under the
    backup key's replica; the database backup bucket's replica is BackupReplica's.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        *,
        backup_key_arn: pulumi.Input[str],
        recovery_backup_key_arn: pulumi.Input[str],
        aws_backup_role: aws.iam.Role,
        file_storage: aws.s3.Bucket,
        access_log_bucket: aws.s3.Bucket,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("trustctl:backups:Backups", name, None, opts)
        self._name, self._config = name, config
        child = pulumi.ResourceOptions(parent=self)
        days = config.backup_retention_days
        prefix = config.name_prefix

        self.database_backups = HardenedBucket(
            f"{prefix}-database-backups",
            role="backup",
            kms_key_arn=backup_key_arn,
            access_log_bucket=access_log_bucket,
            retention=Retention(days=days, locked=True),
            opts=child,
        )

        self.vault = self._locked_vault("vault", f"{prefix}-backups", backup_key_arn)
        self.recovery_vault = self._locked_vault(
            "recovery-vault", f"{prefix}-backups-recovery", recovery_backup_key_arn,
            config.recovery_region)
        self.plan = aws.backup.Plan(
            f"{name}-plan",
            name=f"{prefix}-daily",
            rules=[{
                "rule_name": f"daily-kept-{days}-days",
                "target_vault_name": self.vault.name,
                "schedule": DAILY_AT_0500_UTC,
                "schedule_expression_timezone": "Etc/UTC",
                "start_window": START_WINDOW_MINUTES,
                "completion_window": COMPLETION_WINDOW_MINUTES,
                "lifecycle": {"delete_after": days},
                # Every recovery point also lands in the recovery region, kept as long.
                "copy_actions": [{
                    "destination_vault_arn": self.recovery_vault.arn,
                    "lifecycle": {"delete_after": days},
                }],
            }],
            opts=child,
        )
        aws.backup.Selection(
            f"{name}-file-storage",
            name=f"{prefix}-file-storage",
            plan_id=self.plan.id,
            iam_role_arn=aws_backup_role.arn,
            resources=[file_storage.arn],
            opts=child,
        )
        self._restore_testing(aws_backup_role, file_storage)
        self._audit_framework()
        self.register_outputs({
            "vaultName": self.vault.name,
            "recoveryVaultName": self.recovery_vault.name,
            "databaseBackupBucket": self.database_backups.bucket.id,
            "backupEncryptionContextKeys": list(BACKUP_ENCRYPTION_CONTEXT_KEYS),
        })

    def _locked_vault(self, suffix: str, vault_name: str, key_arn: pulumi.Input[str],
                      region: str | None = None) -> aws.backup.Vault:
        """A vault under a backup key, locked in compliance mode for the retention."""
        child = pulumi.ResourceOptions(parent=self)
        vault = aws.backup.Vault(
            f"{self._name}-{suffix}", name=vault_name, kms_key_arn=key_arn, force_destroy=False,
            region=region, opts=child,
        )
        aws.backup.VaultLockConfiguration(
            f"{self._name}-{suffix}-lock",
            backup_vault_name=vault.name,
            min_retention_days=self._config.backup_retention_days,
            changeable_for_days=VAULT_LOCK_GRACE_DAYS,
            region=region,
            opts=child,
        )
        return vault

    def _restore_testing(self, role: aws.iam.Role, file_storage: aws.s3.Bucket) -> None:
        """AWS Backup restores the latest file-storage recovery point on a schedule."""
        child = pulumi.ResourceOptions(parent=self)
        snake = self._config.name_prefix.replace("-", "_")
        plan = aws.backup.RestoreTestingPlan(
            f"{self._name}-restore-testing",
            name=f"{snake}_restore_testing",
            schedule_expression=MONTHLY_RESTORE_TEST,
            schedule_expression_timezone="Etc/UTC",
            start_window_hours=24,
            recovery_point_selection={
                "algorithm": "LATEST_WITHIN_WINDOW",
                "include_vaults": [self.vault.arn],
                "recovery_point_types": ["SNAPSHOT"],
                "selection_window_days": 7,
            },
            opts=child,
        )
        aws.backup.RestoreTestingSelection(
            f"{self._name}-restore-testing-file-storage",
            name=f"{snake}_file_storage",
            restore_testing_plan_name=plan.name,
            protected_resource_type="S3",
            protected_resource_arns=[file_storage.arn],
            iam_role_arn=role.arn,
            validation_window_hours=1,
            opts=child,
        )

    def _audit_framework(self) -> None:
        """AWS Backup Audit Manager evaluates, every day, the promises restated as controls."""
        days = str(self._config.backup_retention_days)
        promised = page_figures()
        aws.backup.Framework(
            f"{self._name}-promises",
            name=f"{self._config.name_prefix.replace('-', '_')}_backup_promises",
            description=f"Claver security page: every {promised.backup_every_days} day(s), "
                        f"encrypted, kept {days} days, RPO {promised.rpo_hours:g} h, "
                        f"RTO {promised.rto_hours:g} h.",
            controls=[
                _control("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
                         requiredFrequencyUnit="days",
                         requiredFrequencyValue=str(promised.backup_every_days),
                         requiredRetentionDays=days),
                _control("BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK",
                         requiredRetentionDays=days),
                _control("BACKUP_RECOVERY_POINT_ENCRYPTED"),
                _control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
                         minRetentionDays=days),
                _control("BACKUP_LAST_RECOVERY_POINT_CREATED",
                         recoveryPointAgeUnit="hours",
                         recoveryPointAgeValue=f"{promised.rpo_hours:g}"),
                _control("RESTORE_TIME_FOR_RESOURCES_MEET_TARGET",
                         maxRestoreTime=str(self._config.restore_time_target_minutes)),
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )


def _control(name: str, **parameters: str) -> dict:
    """One Audit Manager control; parameter names are AWS's own (camelCase)."""
    control: dict = {"name": name}
    if parameters:
        control["input_parameters"] = [{"name": k, "value": v} for k, v in parameters.items()]
    return control
