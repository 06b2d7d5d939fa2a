"""The backup key is a multi-Region key, so a replica can decrypt outside its region."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, is_true, tag

METADATA = Metadata(
    severity="CRITICAL",
    risk="A regional outage takes down the only key that can decrypt the backups: every copy "
    "elsewhere is unreadable until the region returns.",
    remediation="Set multi_region = true on the aws_kms_key tagged trustctl:purpose=backup and "
    "declare its aws_kms_replica_key in the recovery region.",
)


class BackupKeyMultiRegion(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_40",
            name="Ensure the backup KMS key is a multi-Region key",
            category=CheckCategories.BACKUP_AND_RECOVERY,
            resources=["aws_kms_key"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if tag(conf, "trustctl:purpose") != "backup":
            return None
        if is_true(attr(conf, "multi_region")):
            return []
        return ["the backup key is single-Region: no replica can decrypt backups elsewhere"]


check = BackupKeyMultiRegion()
