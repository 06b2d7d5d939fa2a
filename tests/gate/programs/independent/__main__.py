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
    "uploads-under-dump-key": "BACKUP-KEY-SEPARATE",  # customer files under the backup key
    "dumps-unlocked": "BACKUP-DAILY-35D",  # the dump bucket has no Object Lock
    "dumps-tagged-data": "BACKUP-KEY-SEPARATE",  # tagged a data bucket, under the backup key
    "table-no-pitr": "BACKUP-DAILY-35D",  # the DynamoDB table has no point-in-time recovery
    "internet-route": "NO-PUBLIC-DB",  # the warehouse subnets route to an internet gateway
    "route-added": "PRIVATE-NETWORK",  # an aws.ec2.Route to the internet on the only table
    "subnet-public-ip": "NO-PUBLIC-DB",  # a warehouse subnet hands out public IPs
    "subnet-tagged-private": "PRIVATE-NETWORK",  # tagged private, behind an internet route
    "instance-root-unencrypted": "ENC-AT-REST",  # the worker's root volume is unencrypted
    "queue-unencrypted": "ENC-AT-REST",  # the job queue is not encrypted
    "copy-sse-s3": "RPO-RTO",  # the dumps' copy is not under the key's replica (SSE-S3)
    "no-copy-vault": "RPO-RTO",  # recovery points stay in one region
}
RECOVERY_REGION = "us-west-2"  # the stack's aws:region is eu-west-1

BREAK = pulumi.Config().get("break") or "none"
if BREAK not in MUTATIONS:
    raise ValueError(f"unknown mutation {BREAK!r}")


def broken(*names: str) -> bool:
    return BREAK in names


data_key = aws.kms.Key("data-key", enable_key_rotation=True, deletion_window_in_days=30)
backup_key = data_key if broken("backup-key-removed") else aws.kms.Key(
    "dump-key", enable_key_rotation=True, deletion_window_in_days=30, multi_region=True,
    tags={"purpose": "backup"})
backup_key_copy = aws.kms.ReplicaKey("dump-key-copy", primary_key_arn=backup_key.arn,
                                     region=RECOVERY_REGION)


def sse(name: str, bucket: aws.s3.Bucket, key: aws.kms.Key | aws.kms.ReplicaKey | None,
        **region) -> None:
    default = {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn} if key else {
        "sse_algorithm": "AES256"}
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse", bucket=bucket.id, **region, rules=[{
            "apply_server_side_encryption_by_default": default, "bucket_key_enabled": True}])
    aws.s3.BucketPublicAccessBlock(
        f"{name}-private", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
        ignore_public_acls=True, restrict_public_buckets=True, **region)


uploads = aws.s3.Bucket("uploads")
sse("uploads", uploads, backup_key if broken("uploads-under-dump-key") else data_key)
access_logs = aws.s3.Bucket("access-logs")
sse("access-logs", access_logs, None)  # S3 delivers server access logs only to SSE-S3 buckets
aws.s3.BucketLogging("uploads-logging", bucket=uploads.id, target_bucket=access_logs.id,
                     target_prefix="uploads/")


def dump_bucket(name: str, key: aws.kms.Key | aws.kms.ReplicaKey | None, locked: bool = True,
                **region) -> aws.s3.Bucket:
    """Nightly database dumps: write-once for 35 days, then expired."""
    bucket = aws.s3.Bucket(name, object_lock_enabled=locked, **region, tags={
        "purpose": "backup",
        **({"trustctl:role": "data"} if broken("dumps-tagged-data") and name == "dumps" else {})})
    sse(name, bucket, key, **region)
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id, **region,
                            versioning_configuration={"status": "Enabled"})
    if locked:
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-lock", bucket=bucket.id, **region,
            rule={"default_retention": {"mode": "COMPLIANCE", "days": 35}})
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-expiry", bucket=bucket.id, **region,
        rules=[{"id": "expire", "status": "Enabled", "expiration": {"days": 35}}])
    return bucket


dumps = dump_bucket("dumps", backup_key, locked=not broken("dumps-unlocked"))
dumps_copy = dump_bucket("dumps-copy", None if broken("copy-sse-s3") else backup_key_copy,
                         region=RECOVERY_REGION)
aws.s3.BucketReplicationConfig(
    "dumps-replication", bucket=dumps.id, role="arn:aws:iam::123456789012:role/replication",
    rules=[{
        "id": "all", "status": "Enabled", "filter": {},
        "delete_marker_replication": {"status": "Disabled"},
        "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
        "destination": {
            "bucket": dumps_copy.arn,
            "encryption_configuration": {"replica_kms_key_id": backup_key_copy.arn},
            "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
            "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}}}}])

# the nightly dump job writes dumps and can neither read nor delete them
aws.iam.Policy("dump-writer", policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": dumps.arn.apply(
            lambda arn: f"{arn}/*")},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
         "Resource": backup_key.arn}]}))

vault = aws.backup.Vault("backups", name="nightly", kms_key_arn=backup_key.arn)
aws.backup.VaultLockConfiguration("backups-lock", backup_vault_name=vault.name,
                                  min_retention_days=35, changeable_for_days=3)
copies = []
if not broken("no-copy-vault"):
    copy_vault = aws.backup.Vault("backups-copy", name="nightly-copy",
                                  kms_key_arn=backup_key_copy.arn, region=RECOVERY_REGION)
    aws.backup.VaultLockConfiguration("backups-copy-lock", backup_vault_name=copy_vault.name,
                                      min_retention_days=35, changeable_for_days=3,
                                      region=RECOVERY_REGION)
    copies = [{"destination_vault_arn": copy_vault.arn, "lifecycle": {"delete_after": 35}}]
aws.backup.Plan("nightly-plan", rules=[{
    "rule_name": "nightly", "target_vault_name": vault.name, "schedule": "cron(0 2 * * ? *)",
    "lifecycle": {"delete_after": 35}, "copy_actions": copies}])

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
if broken("route-added"):
    aws.ec2.Route("warehouse-internet", route_table_id=route_table.id,
                  destination_cidr_block="0.0.0.0/0",
                  gateway_id=aws.ec2.InternetGateway("warehouse-igw", vpc_id=vpc.id).id)
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
