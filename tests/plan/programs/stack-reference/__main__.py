"""Outputs of another stack: given with --stack-outputs, else unknown at plan time."""

import pulumi
import pulumi_aws as aws

network = pulumi.StackReference(pulumi.Config().require("networkStack"))
aws.ec2.SecurityGroup("app", vpc_id=network.require_output("vpcId"),
                      ingress=[aws.ec2.SecurityGroupIngressArgs(
                          protocol="tcp", from_port=22, to_port=22,
                          cidr_blocks=[network.get_output("adminCidr")])])
