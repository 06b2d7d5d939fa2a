"""A program with a bug: it raises before declaring anything."""

import pulumi_aws as aws

aws.kms.Key("data", enable_key_rotation=True)
raise RuntimeError("database password missing from config")
