"""NO-PUBLIC-DB: no security group opens a database port to the internet."""

from typing import Any

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check

DB_PORTS = {5432: "PostgreSQL", 3306: "MySQL", 1433: "SQL Server", 1521: "Oracle",
            27017: "MongoDB/DocumentDB", 6379: "Redis", 5439: "Redshift", 9200: "OpenSearch",
            11211: "Memcached", 8182: "Neptune", 9042: "Cassandra", 50000: "DB2"}
WORLD = ("0.0.0.0/0", "::/0")


@live_check(
    id="AUD_AWS_20", area="aws",
    name="No security group opens a database port to 0.0.0.0/0 or ::/0",
    risk="A database port is reachable from anywhere on the internet.",
    remediation="Remove the ingress rule; let only the application's security group reach "
                "the database port.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    groups = aws.security_groups()
    out.facts["security_groups"] = len(groups)
    for group in groups:
        for rule in group.get("IpPermissions", []):
            if not _from_world(rule):
                continue
            for port, engine in DB_PORTS.items():
                if _covers(rule, port):
                    out.fail(group["GroupId"], f"port {port} ({engine}) is open to the internet")


def _from_world(rule: dict[str, Any]) -> bool:
    return (any(r.get("CidrIp") in WORLD for r in rule.get("IpRanges", []))
            or any(r.get("CidrIpv6") in WORLD for r in rule.get("Ipv6Ranges", [])))


def _covers(rule: dict[str, Any], port: int) -> bool:
    if rule.get("IpProtocol") in ("-1", "all"):
        return True
    if rule.get("IpProtocol") not in ("tcp", "6"):
        return False
    return rule.get("FromPort", 0) <= port <= rule.get("ToPort", 65535)
