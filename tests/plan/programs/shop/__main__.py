"""A program with a component, an apply, an object config value and a secret."""

import json

import pulumi
import pulumi_aws as aws
from storage import EncryptedBucket

config = pulumi.Config()
network = config.require_object("network")

key = aws.kms.Key("data-key", enable_key_rotation=True, deletion_window_in_days=30)
files = EncryptedBucket("files", key_arn=key.arn)

vpc = aws.ec2.Vpc("vpc", cidr_block=network["cidr"])
zones = aws.get_availability_zones(state="available").names  # a data source call
for index, zone in enumerate(network["zones"]):
    aws.ec2.Subnet(f"private-{zone}", vpc_id=vpc.id, availability_zone=zones[index],
                   cidr_block=network["cidr"].replace("0.0/16", f"{index + 1}.0/24"))

aws.iam.Policy(
    "read-files",
    policy=pulumi.Output.all(files.bucket.arn, key.arn).apply(
        lambda arns: json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arns[0]}/*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": arns[1]},
        ]})
    ),
)
aws.rds.Instance(
    "db", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
    username="app", password=config.require_secret("dbPassword"),
    backup_retention_period=config.require_int("retentionDays"),
    tags={"owner": config.require("owner")},
)
pulumi.export("bucket", files.bucket.bucket)
