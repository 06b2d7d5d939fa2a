"""A resource given where an input expects its id or name (`role=role`, `function=fn`)."""

import json

import pulumi_aws as aws

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": "lambda.amazonaws.com"}}]})

role = aws.iam.Role("worker", assume_role_policy=TRUST)
aws.iam.RolePolicy("worker-logs", role=role, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}))
fn = aws.lambda_.Function("handler", role=role.arn, runtime="python3.12",
                          handler="index.handler", code=None)
aws.lambda_.Permission("invoke", function=fn, action="lambda:InvokeFunction",
                       principal="s3.amazonaws.com")
