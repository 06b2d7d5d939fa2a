"""A program whose code returns but whose resource waits for an input that never resolves."""

import asyncio

import pulumi
import pulumi_aws as aws

never = asyncio.get_event_loop().create_future()
aws.s3.Bucket("stuck", bucket=pulumi.Output.from_input(never))
