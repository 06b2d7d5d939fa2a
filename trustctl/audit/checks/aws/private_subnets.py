"""PRIVATE-NETWORK: private subnets give no public IPs and have no internet-gateway route."""

from typing import Any

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_21", area="aws",
    name="Private subnets assign no public IPs and route nothing to an internet gateway",
    risk="An internal service in a 'private' subnet is reachable from the internet.",
    remediation="Set MapPublicIpOnLaunch false on subnets tagged trustctl:tier=private and "
                "associate them with a route table without igw- routes.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    subnets = [s for s in aws.subnets()
               if {"Key": "trustctl:tier", "Value": "private"} in s.get("Tags", [])]
    tables = aws.route_tables()
    out.facts["private_subnets"] = [s["SubnetId"] for s in subnets]
    if not subnets:
        out.fail(None, "no subnet is tagged trustctl:tier=private")
    for subnet in subnets:
        if subnet.get("MapPublicIpOnLaunch"):
            out.fail(subnet["SubnetId"], "assigns public IPs on launch")
        table = _route_table(subnet, tables)
        gateways = [r.get("GatewayId") for r in (table or {}).get("Routes", [])
                    if str(r.get("GatewayId", "")).startswith("igw-")]
        if gateways:
            out.fail(subnet["SubnetId"], f"routes to internet gateway {', '.join(gateways)} "
                                         f"(route table {table['RouteTableId']})")


def _route_table(subnet: dict[str, Any], tables: list[dict[str, Any]]) -> dict | None:
    """The explicitly associated table, else the VPC's main table."""
    for table in tables:
        if any(a.get("SubnetId") == subnet["SubnetId"] for a in table.get("Associations", [])):
            return table
    return next((t for t in tables if t.get("VpcId") == subnet.get("VpcId") and any(
        a.get("Main") for a in t.get("Associations", []))), None)
