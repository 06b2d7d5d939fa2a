"""The backup bucket replicates every backup, encrypted, within minutes."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, items, number, shown

MAX_REPLICATION_MINUTES = 15  # S3 Replication Time Control's only setting

METADATA = Metadata(
    severity="HIGH",
    risk="Backups are not copied out of the region, copied without their SSE-KMS objects, or "
    "copied hours late: a regional outage loses them or more than the promised RPO.",
    remediation="Give aws_s3_bucket_replication_configuration an Enabled rule with "
    "source_selection_criteria.sse_kms_encrypted_objects Enabled, "
    "destination.encryption_configuration.replica_kms_key_id set (the backup key's replica), "
    f"destination.replication_time Enabled ({MAX_REPLICATION_MINUTES} minutes) and "
    "delete_marker_replication Disabled.",
)


def rule_problems(rule: dict[str, Any]) -> list[str]:
    name = attr(rule, "id") or "unnamed"
    found = []
    if attr(rule, "source_selection_criteria", "sse_kms_encrypted_objects", "status") != "Enabled":
        found.append(f"rule {name} skips SSE-KMS objects, and every backup is one")
    if not attr(rule, "destination", "encryption_configuration", "replica_kms_key_id"):
        found.append(f"rule {name} names no replica KMS key for the copies")
    minutes = number(attr(rule, "destination", "replication_time", "time", "minutes"))
    if (attr(rule, "destination", "replication_time", "status") != "Enabled"
            or minutes is None or minutes > MAX_REPLICATION_MINUTES):
        found.append(f"rule {name} has no replication time control "
                     f"(minutes: {shown(minutes)}): the copy may lag for hours")
    if attr(rule, "delete_marker_replication", "status") == "Enabled":
        found.append(f"rule {name} replicates delete markers: a deletion hides the copies too")
    return found


class BackupBucketReplication(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_42",
            name="Ensure backup replication copies every encrypted backup within 15 minutes",
            category=CheckCategories.BACKUP_AND_RECOVERY,
            resources=["aws_s3_bucket_replication_configuration"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        enabled = [r for r in items(conf, "rule") if attr(r, "status") == "Enabled"]
        if not enabled:
            return ["no enabled replication rule"]
        return [problem for rule in enabled for problem in rule_problems(rule)]


check = BackupBucketReplication()
