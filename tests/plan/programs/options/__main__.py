"""Resource options: depends_on, aliases, an explicit provider and region, import, protect."""

import pulumi
import pulumi_aws as aws

east = aws.Provider("east", region="us-east-1")
key = aws.kms.Key("edge-key", enable_key_rotation=True,
                  opts=pulumi.ResourceOptions(provider=east, protect=True))
logs = aws.s3.Bucket("logs", opts=pulumi.ResourceOptions(
    aliases=[pulumi.Alias(name="old-logs")], ignore_changes=["tags"]))
aws.s3.Bucket("site", tags={"key": key.arn}, opts=pulumi.ResourceOptions(depends_on=[logs]))
aws.s3.Bucket("legacy", opts=pulumi.ResourceOptions(import_="legacy-bucket-2019",
                                                    retain_on_delete=True))
