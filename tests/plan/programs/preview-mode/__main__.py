"""Planning is a preview: programs that branch on it take the preview branch."""

import pulumi
import pulumi_aws as aws

print("the program prints; the plan on stdout stays JSON")
aws.s3.Bucket("logs", tags={"dry-run": str(pulumi.runtime.is_dry_run())})
