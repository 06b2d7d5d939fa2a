"""Any database a change adds keeps its backups 35 days."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import RETENTION_DAYS, Metadata, TrustCheck, attr, is_true, number, shown

METADATA = Metadata(
    severity="CRITICAL",
    risk="A database added outside the backup design loses data older than its short retention.",
    remediation=(
        f"Set the database's automated backup retention to {RETENTION_DAYS} days "
        "(backup_retention_period, automated_snapshot_retention_period, snapshot_retention_limit), "
        "or point_in_time_recovery for DynamoDB."
    ),
)

RETENTION_ATTRIBUTE = {
    "aws_db_instance": "backup_retention_period",
    "aws_rds_cluster": "backup_retention_period",
    "aws_docdb_cluster": "backup_retention_period",
    "aws_docdb_elastic_cluster": "backup_retention_period",
    "aws_neptune_cluster": "backup_retention_period",
    "aws_redshift_cluster": "automated_snapshot_retention_period",
    "aws_elasticache_cluster": "snapshot_retention_limit",
    "aws_elasticache_replication_group": "snapshot_retention_limit",
    "aws_elasticache_serverless_cache": "snapshot_retention_limit",
    "aws_memorydb_cluster": "snapshot_retention_limit",
}
NO_BACKUP_ENGINES = {"memcached"}


class DatabaseRetention35Days(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_17",
            name=f"Ensure every database keeps automated backups for >= {RETENTION_DAYS} days",
            category=CheckCategories.BACKUP_AND_RECOVERY,
            resources=[*RETENTION_ATTRIBUTE, "aws_dynamodb_table"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if self.entity_type == "aws_dynamodb_table":
            return _dynamodb_problems(conf)
        if attr(conf, "engine") in NO_BACKUP_ENGINES:
            return None
        name = RETENTION_ATTRIBUTE[self.entity_type]
        days = number(attr(conf, name))
        if days is None or days < RETENTION_DAYS:
            return [f"{name} is {shown(days)}, below {RETENTION_DAYS}"]
        return []


def _dynamodb_problems(conf: dict[str, list[Any]]) -> list[str]:
    pitr = attr(conf, "point_in_time_recovery")
    if not isinstance(pitr, dict) or not is_true(pitr.get("enabled")):
        return ["point_in_time_recovery is not enabled"]
    days = number(pitr.get("recovery_period_in_days"))
    if days is not None and days < RETENTION_DAYS:
        return [f"point_in_time_recovery.recovery_period_in_days is {shown(days)}"]
    return []


check = DatabaseRetention35Days()
