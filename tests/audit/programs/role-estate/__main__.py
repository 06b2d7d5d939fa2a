"""The estate described by config `estate` (tests/audit/role_estate.py's ESTATES), declared
resource by resource: keys, buckets (encryption, Object Lock, logging, replication), AWS Backup
vaults and the backup writer's policy. Each bucket is named `bucket` as it is in moto."""

import json

import pulumi
import pulumi_aws as aws

estate = json.loads(pulumi.Config().require("estate"))
keys = {name: aws.kms.Key(name, enable_key_rotation=True, tags=spec.get("tags"))
        for name, spec in estate["keys"].items()}
buckets = {}
for name, spec in estate["buckets"].items():
    buckets[name] = aws.s3.Bucket(name, bucket=spec["bucket"], tags=spec.get("tags"),
                                  object_lock_enabled=spec.get("locked", False))
    key = keys[spec["key"]] if spec.get("key") else None
    default = ({"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn} if key
               else {"sse_algorithm": "AES256"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        name, bucket=buckets[name].id,
        rules=[{"apply_server_side_encryption_by_default": default}])
for name, spec in estate["buckets"].items():
    if spec.get("logs_to"):
        aws.s3.BucketLogging(name, bucket=buckets[name].id,
                             target_bucket=buckets[spec["logs_to"]].id, target_prefix=f"{name}/")
    if spec.get("replicates_to"):
        aws.s3.BucketReplicationConfig(
            name, bucket=buckets[name].id, role="arn:aws:iam::123456789012:role/replication",
            rules=[{"id": "all", "status": "Enabled", "filter": {},
                    "delete_marker_replication": {"status": "Disabled"},
                    "destination": {"bucket": buckets[spec["replicates_to"]].arn}}])
for name, key in estate["vaults"].items():
    aws.backup.Vault(name, name=name, kms_key_arn=keys[key].arn)
for name, spec in estate["writers"].items():
    aws.iam.Policy(name, policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject",
             "Resource": buckets[spec["writes"]].arn.apply(lambda arn: f"{arn}/*")},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
             "Resource": keys[spec["encrypts"]].arn}]}))

# a warehouse VPC: two subnets without public IPs on one route table, an S3 gateway endpoint
# and a security group for internal workers; `internet` adds a route to an internet gateway
network = estate["network"]
vpc = aws.ec2.Vpc("warehouse", cidr_block="10.60.0.0/16")
routes = aws.ec2.RouteTable("routes", vpc_id=vpc.id)
for i, name in enumerate(("subnet-a", "subnet-b")):
    subnet = aws.ec2.Subnet(name, vpc_id=vpc.id, cidr_block=f"10.60.{16 * i}.0/20",
                            map_public_ip_on_launch=False)
    aws.ec2.RouteTableAssociation(name, subnet_id=subnet.id, route_table_id=routes.id)
aws.ec2.VpcEndpoint("s3", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-2.s3",
                    vpc_endpoint_type="Gateway", route_table_ids=[routes.id])
aws.ec2.SecurityGroup("workers", vpc_id=vpc.id, description="internal workers")
if network["internet"]:
    aws.ec2.Route("internet", route_table_id=routes.id, destination_cidr_block="0.0.0.0/0",
                  gateway_id=aws.ec2.InternetGateway("igw", vpc_id=vpc.id).id)
