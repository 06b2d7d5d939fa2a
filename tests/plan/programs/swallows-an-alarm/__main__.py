"""A program that never returns and swallows the first interruption it gets, as asyncio does
with an exception raised inside one of its callbacks."""

import pulumi_aws as aws

aws.s3.Bucket("before")
swallowed = 0
while True:
    try:
        while True:
            pass
    except BaseException:  # the point: a time limit must survive this once
        swallowed += 1
        if swallowed > 1:
            raise
