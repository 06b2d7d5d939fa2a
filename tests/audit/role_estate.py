"""A backup estate described once (ESTATES), built twice: in moto, each variant in an account of
its own (reached by an assumed role, as the audit reaches another account), for the audit; and
as the Pulumi program programs/role-estate (config `estate`), for the gate.

The `untagged` estate says what each thing is only by how things use each other (no trustctl
tag): the vault encrypts with dump-key, the dump writer may only write dumps and encrypts under
dump-key, dumps replicates into dumps-copy, files and dumps deliver access logs to logs; the
warehouse VPC's subnets launch without public IPs and its route table reaches no internet
gateway. Each other variant is one change of it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3

from trustctl.aws import LOCAL_CREDENTIALS, AwsTarget
from trustctl.catalog import page_figures
from trustctl.sandbox.account import tls_only_policy

PROGRAM_NAME = "role-estate"
_UNTAGGED: dict[str, Any] = {
    "keys": {"data-key": {}, "dump-key": {}},
    "buckets": {
        "files": {"key": "data-key", "logs_to": "logs"},
        "logs": {"key": None},
        "dumps": {"key": "dump-key", "locked": True, "logs_to": "logs",
                  "replicates_to": "dumps-copy"},
        "dumps-copy": {"key": "dump-key", "locked": True, "logs_to": "logs"},
    },
    "vaults": {"nightly": "dump-key"},
    "writers": {"dump-writer": {"writes": "dumps", "encrypts": "dump-key"}},
    "network": {"internet": False},
}


def _variant(account: str, change: dict[str, Any] | None = None) -> dict[str, Any]:
    estate = copy.deepcopy(_UNTAGGED)
    for path, value in (change or {}).items():
        *parents, last = path.split(".")
        node = estate
        for part in parents:
            node = node[part]
        node[last] = value
    estate["account"] = account
    for name, bucket in estate["buckets"].items():  # S3 names are global, even in moto
        bucket["bucket"] = f"e{account[:3]}-{name}"
    return estate


ESTATES = {
    "untagged": _variant("333333333333"),
    # the vault, the dumps and their writer all use the data key, which also encrypts files
    "vault-data-key": _variant("444444444444", {
        "vaults.nightly": "data-key", "buckets.dumps.key": "data-key",
        "buckets.dumps-copy.key": "data-key", "writers.dump-writer.encrypts": "data-key"}),
    # customer files under the backup key
    "files-under-dump-key": _variant("555555555555", {"buckets.files.key": "dump-key"}),
    # a tag overrides the graph: dumps declared a data bucket (so its copy is no replica)
    "dumps-tagged-data": _variant("666666666666", {
        "buckets.dumps.tags": {"trustctl:role": "data"}}),
    # a route to an internet gateway on the warehouse's only route table
    "route-added": _variant("777777777777", {"network.internet": True}),
}


def role_arn(estate: dict[str, Any]) -> str:
    return f"arn:aws:iam::{estate['account']}:role/trustctl-audit"


def build(target: AwsTarget, estate: dict[str, Any]) -> dict[str, str]:
    """Declare `estate` in moto in its own account; returns each resource's name -> live id
    (key ARN, bucket name, vault name, VPC, subnet, route table and gateway id)."""
    sts = boto3.client("sts", region_name=target.region, endpoint_url=target.endpoint_url,
                       **LOCAL_CREDENTIALS)
    creds = sts.assume_role(RoleArn=role_arn(estate), RoleSessionName="build")["Credentials"]
    session = boto3.session.Session(
        region_name=target.region, aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])

    def aws(service: str) -> Any:
        return session.client(service, endpoint_url=target.endpoint_url)

    ids = _storage(aws, estate)
    ids.update(_network(aws("ec2"), target.region, estate["network"]))
    return ids


def _storage(aws: Any, estate: dict[str, Any]) -> dict[str, str]:
    kms, s3, iam, backup = aws("kms"), aws("s3"), aws("iam"), aws("backup")
    days = page_figures().backup_retention_days
    ids: dict[str, str] = {}
    for name, spec in estate["keys"].items():
        tags = [{"TagKey": k, "TagValue": v} for k, v in (spec.get("tags") or {}).items()]
        key = kms.create_key(Description=name, Tags=tags)["KeyMetadata"]
        kms.enable_key_rotation(KeyId=key["KeyId"])
        ids[name] = key["Arn"]
    for name, spec in estate["buckets"].items():
        bucket = ids[name] = spec["bucket"]
        region = s3.meta.region_name
        where = ({} if region == "us-east-1" else
                 {"CreateBucketConfiguration": {"LocationConstraint": region}})
        s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=spec.get("locked", False),
                         **where)
        if spec.get("tags"):
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [
                {"Key": k, "Value": v} for k, v in spec["tags"].items()]})
        default = ({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": ids[spec["key"]]}
                   if spec.get("key") else {"SSEAlgorithm": "AES256"})
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default}]})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        if spec.get("locked"):
            s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": days}}})
            s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={
                "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {},
                           "Expiration": {"Days": days}}]})
    for name, spec in estate["buckets"].items():
        if spec.get("logs_to"):  # S3's logging service may write the target (its policy)
            s3.put_bucket_policy(Bucket=ids[spec["logs_to"]], Policy=tls_only_policy(
                ids[spec["logs_to"]], receives_logs=True))
            s3.put_bucket_logging(Bucket=ids[name], BucketLoggingStatus={"LoggingEnabled": {
                "TargetBucket": ids[spec["logs_to"]], "TargetPrefix": f"{name}/"}})
        if spec.get("replicates_to"):
            s3.put_bucket_replication(Bucket=ids[name], ReplicationConfiguration={
                "Role": f"arn:aws:iam::{estate['account']}:role/replication", "Rules": [{
                    "ID": "all", "Status": "Enabled", "Priority": 1, "Filter": {},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{ids[spec['replicates_to']]}"}}]})
    for name, key in estate["vaults"].items():
        backup.create_backup_vault(BackupVaultName=name, EncryptionKeyArn=ids[key])
        backup.put_backup_vault_lock_configuration(BackupVaultName=name, MinRetentionDays=days,
                                                   ChangeableForDays=3)
        ids[name] = name
    for name, spec in estate["writers"].items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": f"arn:aws:iam::{estate['account']}:root"}}]}))
        iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:PutObject",
                 "Resource": f"arn:aws:s3:::{ids[spec['writes']]}/*"},
                {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
                 "Resource": ids[spec["encrypts"]]}]}))
    return ids


def _network(ec2: Any, region: str, network: dict[str, Any]) -> dict[str, str]:
    """The warehouse VPC as programs/role-estate declares it."""
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ids = {"warehouse": vpc, "routes": table}
    for i, name in enumerate(("subnet-a", "subnet-b")):
        ids[name] = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.60.{16 * i}.0/20",
                                      )["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=ids[name])
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3",
                            VpcEndpointType="Gateway", RouteTableIds=[table])
    ec2.create_security_group(GroupName="workers", Description="internal workers", VpcId=vpc)
    if network["internet"]:
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
        ids["igw"] = gateway
    return ids
