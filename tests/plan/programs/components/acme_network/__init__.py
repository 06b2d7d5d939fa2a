"""A component package in the style of awsx and the pulumi/examples programs: a ComponentResource
with children, nested components, register_outputs."""

import pulumi
import pulumi_aws as aws


class Subnets(pulumi.ComponentResource):
    def __init__(self, name: str, vpc_id: pulumi.Input[str], cidrs: list[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:network:Subnets", name, None, opts)
        self.ids = [aws.ec2.Subnet(f"{name}-{i}", vpc_id=vpc_id, cidr_block=cidr,
                                   opts=pulumi.ResourceOptions(parent=self)).id
                    for i, cidr in enumerate(cidrs)]
        self.register_outputs({"ids": self.ids})


class Vpc(pulumi.ComponentResource):
    def __init__(self, name: str, cidr: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:network:Vpc", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=cidr, opts=child)
        self.private = Subnets(f"{name}-private", self.vpc.id, ["10.1.1.0/24", "10.1.2.0/24"],
                               opts=child)
        self.register_outputs({"vpc_id": self.vpc.id})
