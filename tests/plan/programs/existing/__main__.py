"""`.get()` of resources that exist already: their id is known, the rest only to the cloud."""

import pulumi_aws as aws

shared = aws.ec2.Vpc.get("shared", "vpc-0abc123")
aws.ec2.SecurityGroup("app", vpc_id=shared.id, ingress=[aws.ec2.SecurityGroupIngressArgs(
    protocol="tcp", from_port=443, to_port=443, cidr_blocks=[shared.cidr_block])])
