"""The backup bucket (aws_s3_bucket tagged trustctl:role=backup, or its backup-replica) has
Object Lock enabled and an object lock configuration retaining objects, in the catalog's lock
mode (COMPLIANCE), for at least the promised days.

A graph check (it judges the bucket with its lock configuration) written in Python so that its
figures come from the catalog (see `graph_check`)."""

from trust_check_support import RETENTION_DAYS, backup_bucket_definition, figure, graph_check

LOCK_MODE = figure("BACKUP-DAILY-35D", "lock_mode")

graph_check(
    check_id="CKV_TRUST_15",
    metadata={
        "name": f"Ensure the backup bucket keeps objects under Object Lock {LOCK_MODE} for at "
                f"least {RETENTION_DAYS} days",
        "category": "BACKUP_AND_RECOVERY",
        "severity": "CRITICAL",
        "guideline": "Set object_lock_enabled on the trustctl:role=backup bucket (and its "
                     "backup-replica) and declare aws_s3_bucket_object_lock_configuration with "
                     f"default_retention mode {LOCK_MODE}, days >= {RETENTION_DAYS}.",
        "risk": f"Backup files can be deleted or overwritten before they are {RETENTION_DAYS} "
                "days old.",
        "remediation": f"Enable Object Lock on the backup bucket with a {LOCK_MODE} default "
                       f"retention of at least {RETENTION_DAYS} days.",
    },
    definition=backup_bucket_definition(
        "aws_s3_bucket_object_lock_configuration",
        {"attribute": "rule.default_retention.mode", "operator": "equals", "value": LOCK_MODE},
        {"attribute": "rule.default_retention.days", "operator": "greater_than_or_equal",
         "value": RETENTION_DAYS},
        on_bucket=({"attribute": "object_lock_enabled", "operator": "equals", "value": True},),
    ),
    path=__file__,
)
