"""A program that never returns, and swallows every Exception on the way."""

import contextlib

import pulumi_aws as aws

aws.s3.Bucket("before")
while True:
    with contextlib.suppress(Exception):  # the time limit must not be swallowable
        pass
