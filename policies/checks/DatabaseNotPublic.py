"""No database resource a change adds gets an internet-facing endpoint."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, is_true, strings

METADATA = Metadata(
    severity="CRITICAL",
    risk="A database endpoint resolvable and routable from the internet is attacked directly.",
    remediation=(
        "Set publicly_accessible = false, and place search domains in a VPC "
        "(vpc_options with private subnet_ids)."
    ),
)

PUBLICLY_ACCESSIBLE_FLAG = (
    "aws_db_instance",
    "aws_rds_cluster_instance",
    "aws_neptune_cluster_instance",
    "aws_redshift_cluster",
    "aws_redshiftserverless_workgroup",
    "aws_dms_replication_instance",
    "aws_lightsail_database",
)
VPC_ONLY_WHEN_VPC_OPTIONS = ("aws_opensearch_domain", "aws_elasticsearch_domain")


class DatabaseNotPublic(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_24",
            name="Ensure no database is publicly accessible",
            category=CheckCategories.NETWORKING,
            resources=[*PUBLICLY_ACCESSIBLE_FLAG, *VPC_ONLY_WHEN_VPC_OPTIONS],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if self.entity_type in VPC_ONLY_WHEN_VPC_OPTIONS:
            if strings(attr(conf, "vpc_options", "subnet_ids")):
                return []
            return ["the domain has no vpc_options.subnet_ids: its endpoint is public"]
        if is_true(attr(conf, "publicly_accessible")):
            return ["publicly_accessible is true"]
        return []


check = DatabaseNotPublic()
