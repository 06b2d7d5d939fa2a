"""PRIVATE-NETWORK and NO-PUBLIC-DB: private subnets only, no route out, endpoints inside."""

from __future__ import annotations

import ipaddress

from infra_queries import arn_of, one, policy

from trustctl.plan import Plan

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"


def test_private_subnets_in_at_least_two_zones_never_assign_public_ips(prod_plan: Plan) -> None:
    subnets = prod_plan.of_type(SUBNET)
    assert len({s.inputs["availabilityZone"] for s in subnets}) >= 2
    vpc = one(prod_plan, "aws:ec2/vpc:Vpc", "network")
    vpc_net = ipaddress.ip_network(vpc.inputs["cidrBlock"])
    assert vpc_net.is_private
    for subnet in subnets:
        assert subnet.inputs["mapPublicIpOnLaunch"] is False
        assert subnet.inputs["tags"]["trustctl:tier"] == "private"
        assert ipaddress.ip_network(subnet.inputs["cidrBlock"]).subnet_of(vpc_net)


def test_every_subnet_uses_a_route_table_without_routes(prod_plan: Plan) -> None:
    tables = {t.name: t for t in prod_plan.of_type(ROUTE_TABLE)}
    assert all(t.inputs["routes"] == [] for t in tables.values())
    assert all(t.inputs["tags"] == {"trustctl:tier": "private"} for t in tables.values())
    associations = prod_plan.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    associated = {a.inputs["subnetId"] for a in associations}
    assert associated == {s.name for s in prod_plan.of_type(SUBNET)}
    assert {a.inputs["routeTableId"] for a in associations} <= set(tables)
    assert prod_plan.of_type("aws:ec2/route:Route") == []


def test_default_security_group_has_no_rules(prod_plan: Plan) -> None:
    default = one(prod_plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg")
    assert default.inputs["ingress"] == []
    assert default.inputs["egress"] == []


def test_aws_services_are_reached_through_endpoints(prod_plan: Plan) -> None:
    endpoints = {e.inputs["serviceName"]: e for e in prod_plan.of_type(
        "aws:ec2/vpcEndpoint:VpcEndpoint")}
    s3 = endpoints["com.amazonaws.us-east-1.s3"]
    assert s3.inputs["vpcEndpointType"] == "Gateway"
    assert s3.inputs["routeTableIds"] == [t.name for t in prod_plan.of_type(ROUTE_TABLE)]
    assert policy(s3)["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:ResourceAccount": "123456789012"}}
    kms = endpoints["com.amazonaws.us-east-1.kms"]
    assert kms.inputs["vpcEndpointType"] == "Interface"
    assert kms.inputs["privateDnsEnabled"] is True
    assert len(kms.inputs["subnetIds"]) >= 2


def test_endpoint_security_group_allows_only_https_from_the_vpc(prod_plan: Plan) -> None:
    group = one(prod_plan, "aws:ec2/securityGroup:SecurityGroup", "endpoints")
    vpc_cidr = one(prod_plan, "aws:ec2/vpc:Vpc", "network").inputs["cidrBlock"]
    [rule] = group.inputs["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
    assert rule["cidrBlocks"] == [vpc_cidr]
    assert group.inputs["egress"] == []


def test_flow_logs_capture_all_traffic_into_an_encrypted_group(prod_plan: Plan) -> None:
    flow = one(prod_plan, "aws:ec2/flowLog:FlowLog", "flow-logs")
    group = one(prod_plan, "aws:cloudwatch/logGroup:LogGroup", "flow-logs")
    assert flow.inputs["trafficType"] == "ALL"
    assert flow.inputs["vpcId"] == "network"
    assert flow.inputs["logDestination"] == arn_of(group)
    assert group.inputs["kmsKeyId"] == arn_of(one(prod_plan, "aws:kms/key:Key", "audit-logs"))
    assert group.inputs["retentionInDays"] >= 365


def test_no_database_or_public_ip_is_declared(prod_plan: Plan) -> None:
    public = [r.name for r in prod_plan.resources
              if r.inputs.get("publiclyAccessible") or r.inputs.get("associatePublicIpAddress")]
    assert public == []
