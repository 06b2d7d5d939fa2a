"""What the mocks answer has the types the SDK checks (trustctl/plan/synthesis.py): arguments
echo into a data source's result as the declared type, enum outputs are members. Programs
written here, shaped like pulumi/examples' aws-py-ecs-instances-autoapi."""

from __future__ import annotations

import textwrap
from pathlib import Path

from trustctl.plan import plan_program

PROGRAM = """
import pulumi_aws as aws

ami = aws.ec2.get_ami(most_recent="true", owners=["amazon"],
                      filters=[{"name": "name", "values": ["amzn2-ami-ecs-hvm-*"]}])
assert ami.most_recent is True and ami.owners == ["amazon"]
template = aws.ec2.LaunchTemplate("nodes", image_id=ami.id, instance_type="t3.micro")
group = aws.autoscaling.Group("nodes", min_size=1, max_size=2,
                              availability_zones=["us-east-1a"],
                              launch_template={"id": template.id, "version": "$Latest"})
aws.ecs.CapacityProvider("nodes", auto_scaling_group_provider={
    "auto_scaling_group_arn": group.arn, "managed_termination_protection": "DISABLED"})
"""


def test_data_source_arguments_and_enum_outputs_have_their_declared_types(
        tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: typed\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    plan = plan_program(tmp_path, "dev")
    template = next(r for r in plan.resources if r.type == "aws:ec2/launchTemplate:LaunchTemplate")
    assert template.unknowns == {"imageId": "data source aws:ec2/getAmi:getAmi .id"}
    assert [r.name for r in plan.resources if r.type.startswith("aws:ecs/")] == ["nodes"]
