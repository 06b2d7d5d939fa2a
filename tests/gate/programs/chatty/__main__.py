"""A program that prints far too much (a debug loop left in): 20 MB of lines."""

import pulumi_aws as aws

LINE = "debug: " + "x" * 1000
for _ in range(20_000):
    print(LINE)
aws.kms.Key("data", enable_key_rotation=True)
