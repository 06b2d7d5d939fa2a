"""Apply chains, Output.all, Output.concat, Output.format and json_dumps over outputs."""

import json

import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("data")
key = aws.kms.Key("data")
domain = bucket.bucket.apply(lambda name: name.upper()).apply(lambda up: f"{up}.example")
policy = pulumi.Output.all(bucket.arn, key.arn).apply(lambda arns: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arns[0]}/*"},
                  {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": arns[1]}]}))
aws.iam.Policy("read-data", policy=policy, tags={
    "domain": domain,
    "concat": pulumi.Output.concat("s3://", bucket.bucket),
    "format": pulumi.Output.format("{0}@{1}", bucket.bucket, key.key_id)})
aws.iam.Policy("read-data-json", policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket.arn}]}))
