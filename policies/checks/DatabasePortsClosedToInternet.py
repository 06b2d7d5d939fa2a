"""No security group rule opens a database port to 0.0.0.0/0 or ::/0."""

import ipaddress
from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, items, number, strings

METADATA = Metadata(
    severity="CRITICAL",
    risk="A database port open to the whole internet is scanned and brute-forced within minutes.",
    remediation=(
        "Allow database ports only from the application's security group or private CIDRs, "
        "never from 0.0.0.0/0 or ::/0 (also not through an all-protocol or wide port-range rule)."
    ),
)

DATABASE_PORTS = {
    1433: "SQL Server",
    1521: "Oracle",
    2483: "Oracle",
    2484: "Oracle",
    3306: "MySQL/Aurora",
    5432: "PostgreSQL",
    5439: "Redshift",
    5984: "CouchDB",
    6379: "Redis/Valkey",
    6432: "PgBouncer",
    7000: "Cassandra",
    8086: "InfluxDB",
    8123: "ClickHouse",
    8182: "Neptune",
    9000: "ClickHouse",
    9042: "Cassandra/Keyspaces",
    9200: "OpenSearch",
    9300: "OpenSearch",
    11211: "Memcached",
    26257: "CockroachDB",
    27017: "MongoDB/DocumentDB",
    27018: "MongoDB",
    27019: "MongoDB",
    50000: "Db2",
}
ALL_PROTOCOLS = {"-1", "all"}
TCP = {"tcp", "6"}


class DatabasePortsClosedToInternet(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_25",
            name="Ensure no security group opens a database port to the internet",
            category=CheckCategories.NETWORKING,
            resources=[
                "aws_security_group",
                "aws_security_group_rule",
                "aws_vpc_security_group_ingress_rule",
            ],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if self.entity_type == "aws_security_group":
            return [p for rule in items(conf, "ingress") for p in _rule_problems(rule)]
        if self.entity_type == "aws_security_group_rule":
            return _rule_problems(conf) if attr(conf, "type") == "ingress" else None
        return _rule_problems(
            conf,
            protocol_key="ip_protocol",
            cidr_keys=("cidr_ipv4", "cidr_ipv6"),
        )


def _rule_problems(
    rule: dict[str, Any],
    protocol_key: str = "protocol",
    cidr_keys: tuple[str, ...] = ("cidr_blocks", "ipv6_cidr_blocks"),
) -> list[str]:
    world = [c for key in cidr_keys for c in strings(attr(rule, key)) if _is_whole_internet(c)]
    if not world:
        return []
    exposed = _exposed_database_ports(rule, str(attr(rule, protocol_key)).lower())
    return [
        f"port {port} ({DATABASE_PORTS[port]}) is open to {', '.join(world)}" for port in exposed
    ]


def _exposed_database_ports(rule: dict[str, Any], protocol: str) -> list[int]:
    if protocol in ALL_PROTOCOLS:
        return sorted(DATABASE_PORTS)
    if protocol not in TCP:
        return []
    low, high = number(attr(rule, "from_port")), number(attr(rule, "to_port"))
    if low is None or high is None:
        return sorted(DATABASE_PORTS)
    if low == -1 and high == -1:
        return sorted(DATABASE_PORTS)
    return [port for port in sorted(DATABASE_PORTS) if low <= port <= high]


def _is_whole_internet(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


check = DatabasePortsClosedToInternet()
