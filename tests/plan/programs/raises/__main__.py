import pulumi_aws as aws

aws.kms.Key("k")
raise ValueError("subnet cidr 10.0.0.0/33 is not a valid CIDR")
