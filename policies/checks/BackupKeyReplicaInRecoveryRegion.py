"""The backup key's replica is enabled and lives in another region than its primary.

A replica that names no region is created in the provider's, the primary key's own. The
primary key's region is read from `primary_key_arn` when the plan knows it (a stack export, a
key that exists); a plan that creates both leaves it unknown, and then stack config
(`recoveryRegion` differing from `aws:region`) and AWS KMS itself refuse a same-region replica.
"""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, tag

METADATA = Metadata(
    severity="CRITICAL",
    risk="A replica in the primary's own region (or a disabled one) fails with it: backups "
    "copied elsewhere cannot be decrypted during a regional outage.",
    remediation="Declare the aws_kms_replica_key of the backup key with region = the recovery "
    "region (not the primary key's), enabled, tagged trustctl:purpose=backup.",
)


def arn_region(arn: Any) -> str | None:
    """The region field of an ARN (arn:aws:kms:REGION:...), or None if it is not one (yet)."""
    parts = str(arn or "").split(":")
    return parts[3] or None if len(parts) > 5 and parts[0] == "arn" else None


class BackupKeyReplicaInRecoveryRegion(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_41",
            name="Ensure the backup key's replica is enabled in a region other than its primary",
            category=CheckCategories.BACKUP_AND_RECOVERY,
            resources=["aws_kms_replica_key"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if tag(conf, "trustctl:purpose") != "backup":
            return None
        found = []
        region = attr(conf, "region")
        if not region:
            found.append("region is unset: name the recovery region on the replica")
        elif region == arn_region(attr(conf, "primary_key_arn")):
            found.append(f"the replica is in {region}, the primary key's own region")
        if attr(conf, "enabled") is False:
            found.append("the replica key is disabled")
        return found


check = BackupKeyReplicaInRecoveryRegion()
