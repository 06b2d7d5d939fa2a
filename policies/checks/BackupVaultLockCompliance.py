"""The vault lock stops anyone deleting a recovery point before 35 days."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import RETENTION_DAYS, Metadata, TrustCheck, attr, number, shown

METADATA = Metadata(
    severity="CRITICAL",
    risk="An operator or attacker deletes or shortens backups before they are 35 days old.",
    remediation=(
        f"Declare aws_backup_vault_lock_configuration with min_retention_days >= {RETENTION_DAYS} "
        "and changeable_for_days set (compliance mode, immutable once the grace period ends)."
    ),
)


class BackupVaultLockCompliance(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_13",
            name="Ensure the backup vault lock is in compliance mode with "
            f">= {RETENTION_DAYS} days",
            category=CheckCategories.BACKUP_AND_RECOVERY,
            resources=["aws_backup_vault_lock_configuration"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        found = []
        min_days = number(attr(conf, "min_retention_days"))
        if min_days is None or min_days < RETENTION_DAYS:
            found.append(f"min_retention_days is {shown(min_days)}, below {RETENTION_DAYS}")
        max_days = number(attr(conf, "max_retention_days"))
        if max_days is not None and max_days < RETENTION_DAYS:
            found.append(f"max_retention_days is {shown(max_days)}, below {RETENTION_DAYS}")
        if number(attr(conf, "changeable_for_days")) is None:
            found.append("changeable_for_days is unset: governance mode, the lock can be removed")
        return found


check = BackupVaultLockCompliance()
