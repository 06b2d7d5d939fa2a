"""PRIVATE-NETWORK: private subnets give no public IPs and have no internet-gateway route.

Which subnets and route tables are private is decided by the gate's role rules (trustctl/roles):
a tag `trustctl:tier` declares it, else the routes do; a VPC hosting internal services whose
every subnet an internet route made public must keep its internal route tables private, so
that route is the finding.
"""

from typing import Any

from trustctl.audit.aws_estate import tables_serving
from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.roles.rules import TIER, none_decided

PRIVATE = "private"


@live_check(
    id="AUD_AWS_21", area="aws",
    name="Private subnets assign no public IPs and route nothing to an internet gateway",
    risk="An internal service in a 'private' subnet is reachable from the internet.",
    remediation="Set MapPublicIpOnLaunch false on private subnets and keep igw- routes off the "
                "route tables that serve them and the VPC's internal services.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    roles = aws.network_roles()
    tables = {t["RouteTableId"]: t for t in aws.route_tables()}

    def private(thing_id: str) -> bool:
        role = roles.get(thing_id)
        return role is not None and role.key == TIER and role.value == PRIVATE

    subnets = [s for s in aws.subnets() if private(s["SubnetId"])]
    out.facts["private_subnets"] = {s["SubnetId"]: roles[s["SubnetId"]].describe()
                                    for s in subnets}
    if not subnets:
        out.fail(None, none_decided("subnet", TIER, PRIVATE))
    for subnet in subnets:
        held = roles[subnet["SubnetId"]].describe()
        if subnet.get("MapPublicIpOnLaunch"):
            out.fail(subnet["SubnetId"], f"assigns public IPs on launch [{held}]")
        for table_id in tables_serving(subnet, list(tables.values())):
            gateways = _internet_gateways(tables[table_id])
            if gateways:
                out.fail(subnet["SubnetId"], f"routes to internet gateway {gateways} "
                                             f"(route table {table_id}) [{held}]")
    for table_id, table in tables.items():
        gateways = _internet_gateways(table)
        if private(table_id) and gateways:
            out.fail(table_id, f"routes to internet gateway {gateways} "
                               f"[{roles[table_id].describe()}]")


def _internet_gateways(table: dict[str, Any]) -> str:
    return ", ".join(r["GatewayId"] for r in table.get("Routes") or []
                     if str(r.get("GatewayId", "")).startswith("igw-"))
