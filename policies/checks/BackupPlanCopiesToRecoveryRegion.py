"""Every AWS Backup plan copies its recovery points to another vault, kept 35 days."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import RETENTION_DAYS, Metadata, TrustCheck, attr, items, number, shown

METADATA = Metadata(
    severity="HIGH",
    risk="File-storage recovery points exist only in the primary region: a regional outage "
    "leaves nothing to restore from.",
    remediation="Give the daily rule of aws_backup_plan a copy_action whose "
    "destination_vault_arn is the recovery region's vault and whose lifecycle.delete_after is "
    f">= {RETENTION_DAYS} (or unset).",
)


class BackupPlanCopiesToRecoveryRegion(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_44",
            name="Ensure the AWS Backup plan copies recovery points to the recovery region "
            f"and keeps them >= {RETENTION_DAYS} days",
            category=CheckCategories.BACKUP_AND_RECOVERY,
            resources=["aws_backup_plan"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        copies = [c for rule in items(conf, "rule") for c in items(rule, "copy_action")]
        if not any(attr(c, "destination_vault_arn") for c in copies):
            return ["no rule copies its recovery points to another vault (copy_action)"]
        found = []
        for copy in copies:
            delete_after = number(attr(copy, "lifecycle", "delete_after"))
            if delete_after is not None and delete_after < RETENTION_DAYS:
                found.append(f"copies to {attr(copy, 'destination_vault_arn')} are deleted after "
                             f"{shown(delete_after)} days")
        return found


check = BackupPlanCopiesToRecoveryRegion()
