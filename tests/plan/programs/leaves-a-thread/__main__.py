"""A program that starts a thread it never ends (plan it only in a process of its own)."""

import threading
import time

import pulumi_aws as aws

threading.Thread(target=time.sleep, args=(3600,), name="never-ends").start()
aws.s3.Bucket("served")
