"""A program that exits on its own."""

import sys

import pulumi_aws as aws

aws.s3.Bucket("before")
sys.exit(3)
