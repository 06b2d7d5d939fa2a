"""transformations (run by the SDK), transforms and stack transforms (run by the engine)."""

import pulumi
import pulumi_aws as aws


def owner_tag(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
    props = {**args.props, "tags": {**(args.props.get("tags") or {}), "owner": "platform"}}
    return pulumi.ResourceTransformationResult(props, args.opts)


def encrypted(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ != "aws:ebs/volume:Volume":
        return None
    return pulumi.ResourceTransformResult({**args.props, "encrypted": True}, args.opts)


def cost_centre(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
    props = {**args.props, "tags": {**(args.props.get("tags") or {}), "cost-centre": "42"}}
    return pulumi.ResourceTransformResult(props, args.opts)


pulumi.runtime.register_resource_transform(cost_centre)
aws.s3.Bucket("tagged", opts=pulumi.ResourceOptions(transformations=[owner_tag]))
aws.ebs.Volume("data", availability_zone="eu-west-1a", size=10,
               opts=pulumi.ResourceOptions(transforms=[encrypted]))
