"""A VPC with no way in from, or out to, the internet: private subnets and AWS endpoints only."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from policy_documents import allow, document, service_trust
from stack_config import StackConfig

# The tier tag the gate's checks read: private subnets never sit behind a public route table.
PRIVATE_TIER = {"trustctl:tier": "private"}


class Network(pulumi.ComponentResource):
    """Internal services run on private subnets that the internet cannot reach.

    Implements PRIVATE-NETWORK and NO-PUBLIC-DB: subnets in two or more AZs that never assign
    public IPs, one route table with no route but the implicit local one (there is no internet
    gateway and no NAT at all), AWS services reached through a gateway endpoint (S3) and an
    interface endpoint (KMS, private DNS, HTTPS from the VPC only), a default security group
    with no rules, and VPC flow logs (all traffic) to a log group encrypted with the audit key.
    Any database placed in these subnets has no path to or from the internet.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        audit_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("trustctl:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._name, self._config = name, config
        region = config.aws_region

        self.vpc = aws.ec2.Vpc(
            name, cidr_block=config.vpc_cidr, enable_dns_support=True, enable_dns_hostnames=True,
            tags={"Name": f"{config.name_prefix}-private"}, opts=child,
        )
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=self.vpc.id, ingress=[], egress=[], opts=child,
        )
        self.route_table = aws.ec2.RouteTable(
            f"{name}-private-routes", vpc_id=self.vpc.id, routes=[], tags=PRIVATE_TIER, opts=child,
        )
        self.subnets = []
        for subnet in config.private_subnets:
            private = aws.ec2.Subnet(
                f"{name}-private-{subnet.availability_zone}",
                vpc_id=self.vpc.id,
                availability_zone=subnet.availability_zone,
                cidr_block=subnet.cidr_block,
                map_public_ip_on_launch=False,
                tags={"Name": f"{config.name_prefix}-private-{subnet.availability_zone}",
                      **PRIVATE_TIER},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{subnet.availability_zone}-routes",
                subnet_id=private.id, route_table_id=self.route_table.id, opts=child,
            )
            self.subnets.append(private)

        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[self.route_table.id],
            policy=document(allow(
                "OnlyThisAccountsBuckets", ["s3:*"], "*", Principal="*",
                Condition={"StringEquals": {"aws:ResourceAccount": config.aws_account_id}},
            )),
            opts=child,
        )
        endpoint_sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=self.vpc.id,
            description="HTTPS to AWS interface endpoints, from inside the VPC only",
            ingress=[{
                "description": "HTTPS from the VPC",
                "protocol": "tcp", "from_port": 443, "to_port": 443,
                "cidr_blocks": [config.vpc_cidr],
            }],
            egress=[],
            opts=child,
        )
        aws.ec2.VpcEndpoint(
            f"{name}-kms",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region}.kms",
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=[s.id for s in self.subnets],
            security_group_ids=[endpoint_sg.id],
            opts=child,
        )
        self._flow_logs(audit_key_arn)
        self.register_outputs({
            "vpcId": self.vpc.id,
            "privateSubnetIds": [s.id for s in self.subnets],
        })

    def _flow_logs(self, audit_key_arn: pulumi.Input[str]) -> None:
        """Every accepted and rejected flow, kept as long as the other audit logs."""
        name, config = self._name, self._config
        child = pulumi.ResourceOptions(parent=self)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/{config.name_prefix}/vpc-flow-logs",
            kms_key_id=audit_key_arn,
            retention_in_days=config.audit_log_retention_days,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            name=f"{config.name_prefix}-vpc-flow-logs",
            assume_role_policy=service_trust("vpc-flow-logs.amazonaws.com", config.aws_account_id),
            tags={"trustctl:access": "service"},
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=document(allow(
                "WriteFlowLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                [log_group.arn, pulumi.Output.concat(log_group.arn, ":*")],
            )),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=child,
        )
