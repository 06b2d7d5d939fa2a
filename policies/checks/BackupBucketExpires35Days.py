"""The backup bucket (aws_s3_bucket tagged trustctl:role=backup, or its backup-replica) has an
enabled lifecycle rule that expires objects after exactly the promised days: "kept 35 days" is
a promise in both directions (Object Lock, CKV_TRUST_15, keeps them at least that long).

A graph check (it judges the bucket with its lifecycle configuration) written in Python so that
its figure comes from the catalog (see `graph_check`)."""

from trust_check_support import RETENTION_DAYS, backup_bucket_definition, graph_check

graph_check(
    check_id="CKV_TRUST_16",
    metadata={
        "name": f"Ensure the backup bucket's lifecycle expires backups after {RETENTION_DAYS} "
                "days",
        "category": "BACKUP_AND_RECOVERY",
        "severity": "HIGH",
        "guideline": "Declare aws_s3_bucket_lifecycle_configuration for the trustctl:role=backup "
                     "bucket (and its backup-replica) with an Enabled rule whose expiration.days "
                     f"is {RETENTION_DAYS}.",
        "risk": f"Backups are kept longer or shorter than the {RETENTION_DAYS} days the security "
                "page promises.",
        "remediation": f"Add an Enabled lifecycle rule with expiration days = {RETENTION_DAYS} "
                       "to the backup bucket.",
    },
    definition=backup_bucket_definition(
        "aws_s3_bucket_lifecycle_configuration",
        {"attribute": "rule.status", "operator": "equals", "value": "Enabled"},
        {"attribute": "rule.expiration.days", "operator": "equals", "value": RETENTION_DAYS},
    ),
    path=__file__,
)
