"""A program written without trustctl in mind: it never uses a `trustctl:` tag (its own
`purpose=backup` tag means nothing to the gate), yet keeps the data promises. The gate has to
recognise its backup key, dump bucket and private subnets from how resources use each other.

Config `break` selects one mutation from MUTATIONS (default `none`); each names the control it
breaks. `*-tagged-*` mutations add a trustctl tag that overrides what the graph says.
"""

import json

import pulumi
import pulumi_aws as aws

MUTATIONS = {
    "none": None,
    "backup-key-removed": "BACKUP-KEY-SEPARATE",  # vault and dumps use the data key
    "dumps-unlocked": "BACKUP-DAILY-35D",  # the dump bucket has no Object Lock
    "dumps-tagged-data": "BACKUP-KEY-SEPARATE",  # tagged a data bucket, under the backup key
    "table-no-pitr": "BACKUP-DAILY-35D",  # the DynamoDB table has no point-in-time recovery
    "internet-route": "NO-PUBLIC-DB",  # the warehouse subnets route to an internet gateway
    "subnet-public-ip": "NO-PUBLIC-DB",  # a warehouse subnet hands out public IPs
    "subnet-tagged-private": "PRIVATE-NETWORK",  # tagged private, behind an internet route
    "instance-root-unencrypted": "ENC-AT-REST",  # the worker's root volume is unencrypted
    "queue-unencrypted": "ENC-AT-REST",  # the job queue is not encrypted
}

BREAK = pulumi.Config().get("break") or "none"
if BREAK not in MUTATIONS:
    raise ValueError(f"unknown mutation {BREAK!r}")


def broken(*names: str) -> bool:
    return BREAK in names


data_key = aws.kms.Key("data-key", enable_key_rotation=True, deletion_window_in_days=30)
backup_key = data_key if broken("backup-key-removed") else aws.kms.Key(
    "dump-key", enable_key_rotation=True, deletion_window_in_days=30,
    tags={"purpose": "backup"})


def sse(name: str, bucket: aws.s3.Bucket, key: aws.kms.Key) -> None:
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse", bucket=bucket.id, rules=[{
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                        "kms_master_key_id": key.arn},
            "bucket_key_enabled": True}])
    aws.s3.BucketPublicAccessBlock(
        f"{name}-private", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
        ignore_public_acls=True, restrict_public_buckets=True)


uploads = aws.s3.Bucket("uploads")
sse("uploads", uploads, data_key)

# nightly database dumps: write-once for 35 days, then expired
locked = not broken("dumps-unlocked")
dumps = aws.s3.Bucket("dumps", object_lock_enabled=locked, tags={
    "purpose": "backup", **({"trustctl:role": "data"} if broken("dumps-tagged-data") else {})})
sse("dumps", dumps, backup_key)
aws.s3.BucketVersioning("dumps-versioning", bucket=dumps.id,
                        versioning_configuration={"status": "Enabled"})
if locked:
    aws.s3.BucketObjectLockConfiguration(
        "dumps-lock", bucket=dumps.id,
        rule={"default_retention": {"mode": "COMPLIANCE", "days": 35}})
aws.s3.BucketLifecycleConfiguration(
    "dumps-expiry", bucket=dumps.id,
    rules=[{"id": "expire", "status": "Enabled", "expiration": {"days": 35}}])

vault = aws.backup.Vault("backups", name="nightly", kms_key_arn=backup_key.arn)
aws.backup.VaultLockConfiguration("backups-lock", backup_vault_name=vault.name,
                                  min_retention_days=35, changeable_for_days=3)
aws.backup.Plan("nightly-plan", rules=[{
    "rule_name": "nightly", "target_vault_name": vault.name, "schedule": "cron(0 2 * * ? *)",
    "lifecycle": {"delete_after": 35}}])

aws.dynamodb.Table(
    "orders", hash_key="id", billing_mode="PAY_PER_REQUEST",
    attributes=[{"name": "id", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": data_key.arn},
    point_in_time_recovery={"enabled": not broken("table-no-pitr")})

# the warehouse: a VPC of its own; no internet gateway unless a mutation adds one
vpc = aws.ec2.Vpc("warehouse-vpc", cidr_block="10.50.0.0/16", enable_dns_hostnames=True)
aws.ec2.DefaultSecurityGroup("warehouse-default-sg", vpc_id=vpc.id)
flow_logs = aws.cloudwatch.LogGroup("flow-logs", retention_in_days=365,
                                    kms_key_id=data_key.arn)
flow_role = aws.iam.Role("flow-logs-writer", assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}))
aws.ec2.FlowLog("warehouse-flow-log", vpc_id=vpc.id, traffic_type="ALL",
                log_destination=flow_logs.arn, iam_role_arn=flow_role.arn)
internet = broken("internet-route", "subnet-tagged-private")
routes = [{"cidr_block": "0.0.0.0/0",
           "gateway_id": aws.ec2.InternetGateway("warehouse-igw", vpc_id=vpc.id).id}
          ] if internet else []
route_table = aws.ec2.RouteTable("warehouse-routes", vpc_id=vpc.id, routes=routes)
aws.ec2.VpcEndpoint("warehouse-s3", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-1.s3",
                    vpc_endpoint_type="Gateway", route_table_ids=[route_table.id])
subnets = []
for index, zone in enumerate(("eu-west-1a", "eu-west-1b")):
    subnet = aws.ec2.Subnet(
        f"warehouse-{zone}", vpc_id=vpc.id, cidr_block=f"10.50.{index}.0/24",
        availability_zone=zone, map_public_ip_on_launch=broken("subnet-public-ip") and index == 0,
        tags={"trustctl:tier": "private"} if broken("subnet-tagged-private") else None)
    aws.ec2.RouteTableAssociation(f"warehouse-{zone}-routes", subnet_id=subnet.id,
                                  route_table_id=route_table.id)
    subnets.append(subnet)
subnet_group = aws.redshift.SubnetGroup("warehouse-subnets", subnet_ids=[s.id for s in subnets])
aws.redshift.Cluster(
    "warehouse", cluster_identifier="warehouse", node_type="ra3.xlplus", number_of_nodes=2,
    database_name="analytics", master_username="analyst", manage_master_password=True,
    publicly_accessible=False, encrypted=True, kms_key_id=data_key.arn,
    cluster_subnet_group_name=subnet_group.name, automated_snapshot_retention_period=35,
    skip_final_snapshot=True)

# a worker and its job queue
root = {"volume_size": 20, **({} if broken("instance-root-unencrypted") else {
    "encrypted": True, "kms_key_id": data_key.arn})}
aws.ec2.Instance("worker", ami="ami-0abcdef1234567890", instance_type="t3.micro",
                 subnet_id=subnets[0].id, root_block_device=root,
                 metadata_options={"http_tokens": "required"})
aws.sqs.Queue("jobs", **({"sqs_managed_sse_enabled": False} if broken("queue-unencrypted")
                         else {"kms_master_key_id": data_key.arn}))
