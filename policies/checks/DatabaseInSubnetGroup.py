"""A database names its subnet group, instead of landing in the default VPC.

Without one, AWS places the database in the default VPC, whose subnets are public; with one,
CKV_TRUST_31 makes sure the group holds only private subnets.
"""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr

METADATA = Metadata(
    severity="CRITICAL",
    risk="A database without a subnet group lands in the default VPC's public subnets.",
    remediation=(
        "Set the database's subnet group (db_subnet_group_name, cluster_subnet_group_name, "
        "subnet_group_name, ...) to a group of trustctl:tier=private subnets."
    ),
)

SUBNET_GROUP_ATTRIBUTE = {
    "aws_db_instance": "db_subnet_group_name",
    "aws_rds_cluster": "db_subnet_group_name",
    "aws_docdb_cluster": "db_subnet_group_name",
    "aws_neptune_cluster": "neptune_subnet_group_name",
    "aws_redshift_cluster": "cluster_subnet_group_name",
    "aws_elasticache_cluster": "subnet_group_name",
    "aws_elasticache_replication_group": "subnet_group_name",
    "aws_memorydb_cluster": "subnet_group_name",
    "aws_dms_replication_instance": "replication_subnet_group_id",
}


class DatabaseInSubnetGroup(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_32",
            name="Ensure every database is placed in a declared subnet group",
            category=CheckCategories.NETWORKING,
            resources=list(SUBNET_GROUP_ATTRIBUTE),
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if self.entity_type == "aws_elasticache_cluster" and attr(conf, "replication_group_id"):
            return None
        name = SUBNET_GROUP_ATTRIBUTE[self.entity_type]
        value = attr(conf, name)
        if value in (None, "", "default"):
            return [f"{name} is unset: the database lands in the default VPC"]
        return []


check = DatabaseInSubnetGroup()
