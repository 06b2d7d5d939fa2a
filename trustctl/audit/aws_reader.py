"""The AWS facts the live checks judge, each read once per run, with bounded parallelism
(the calls: `aws_calls`; the IAM facts: `aws_iam`).

The AWS API actions this reader calls are REQUIRED_ACTIONS below: the audit role needs exactly
these, all read-only (kms:Decrypt only on the backup key, to read the SSE-KMS backup manifests;
sts:AssumeRole for --role-arn; organizations:ListAccounts for --organization-role).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trustctl.audit.aws_calls import AwsCalls, AwsSettings
from trustctl.audit.aws_estate import live_estate, network_estate, replication_targets
from trustctl.audit.aws_iam import IamFacts
from trustctl.audit.live_check import CouldNotRead
from trustctl.roles.rules import BACKUP, PURPOSE, ROLE, Role, decide_roles

BUCKET_READS = {  # fact -> (S3 API, what the response holds)
    "tags": ("get_bucket_tagging", "TagSet"),
    "encryption": ("get_bucket_encryption", "ServerSideEncryptionConfiguration"),
    "public_access_block": ("get_public_access_block", "PublicAccessBlockConfiguration"),
    "policy": ("get_bucket_policy", "Policy"),
    "versioning": ("get_bucket_versioning", "Status"),
    "logging": ("get_bucket_logging", "LoggingEnabled"),
}
BACKUP_BUCKET_READS = {
    "object_lock": ("get_object_lock_configuration", "ObjectLockConfiguration"),
    "lifecycle": ("get_bucket_lifecycle_configuration", "Rules"),
}
REQUIRED_ACTIONS = (
    "sts:GetCallerIdentity", "sts:AssumeRole", "organizations:ListAccounts",
    "kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:ListResourceTags",
    "kms:Decrypt",
    "s3:ListAllMyBuckets", "s3:GetBucketTagging", "s3:GetEncryptionConfiguration",
    "s3:GetBucketPublicAccessBlock", "s3:GetBucketPolicy", "s3:GetBucketVersioning",
    "s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration", "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetAccountPublicAccessBlock", "s3:ListBucket", "s3:GetObject",
    "backup:ListBackupVaults", "backup:ListBackupPlans", "backup:GetBackupPlan",
    "backup:ListBackupSelections", "backup:GetBackupSelection",
    "backup:ListRecoveryPointsByBackupVault", "backup:ListRestoreTestingPlans",
    "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
    "iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountSummary",
    "iam:GetAccountAuthorizationDetails",
    "rds:DescribeDBInstances", "rds:DescribeDBClusters", "redshift:DescribeClusters",
    "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeRouteTables",
    "ec2:DescribeVpcEndpoints", "rds:DescribeDBSubnetGroups",
)


@dataclass
class Resource:
    """A resource's facts; a fact that could not be read holds the reason instead."""

    name: str
    facts: dict[str, Any] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)

    def get(self, fact: str) -> Any:
        if fact in self.unreadable:
            raise CouldNotRead(self.unreadable[fact])
        return self.facts.get(fact)


class AwsReader(AwsCalls):
    """Reads an account's facts once, in parallel; every method may raise CouldNotRead."""

    def __init__(self, settings: AwsSettings) -> None:
        super().__init__(settings)
        self.iam = IamFacts(self, self._memo)

    # -- facts ---------------------------------------------------------------------------------

    def account_id(self) -> str:
        return self._memo.get("account", lambda: self.call(
            "sts", "get_caller_identity", "the caller")["Account"])

    def kms_keys(self) -> list[Resource]:
        """Every KMS key: metadata, rotation (customer-managed symmetric keys), tags."""
        return self._memo.get("kms", self._read_kms_keys)

    def _read_kms_keys(self) -> list[Resource]:
        keys = self.pages("kms", "list_keys", "Keys", "the account")
        return self.in_parallel(lambda k: self._kms_key(k["KeyId"]), keys)

    def _kms_key(self, key_id: str) -> Resource:
        key = Resource(key_id)
        try:
            meta = self.call("kms", "describe_key", key_id, KeyId=key_id)["KeyMetadata"]
        except CouldNotRead as exc:
            key.unreadable["metadata"] = str(exc)
            return key
        key.name = meta["Arn"]
        key.facts["metadata"] = {k: meta.get(k) for k in (
            "KeyManager", "KeyState", "KeySpec", "KeyUsage", "Origin", "Arn",
            "MultiRegionConfiguration")}
        if meta.get("KeyManager") != "CUSTOMER" or meta.get("KeyState") != "Enabled":
            return key
        self._fact(key, "rotation", lambda: self.call(
            "kms", "get_key_rotation_status", key_id, KeyId=key_id).get("KeyRotationEnabled"))
        self._fact(key, "tags", lambda: [
            {"Key": t["TagKey"], "Value": t["TagValue"]} for t in self.pages(
                "kms", "list_resource_tags", "Tags", key_id, KeyId=key_id)])
        return key

    @staticmethod
    def _fact(resource: Resource, fact: str, read: Callable[[], Any]) -> None:
        try:
            resource.facts[fact] = read()
        except CouldNotRead as exc:
            resource.unreadable[fact] = str(exc)

    def buckets(self) -> list[Resource]:
        """Every bucket with its tags, encryption, public access block, policy, versioning and
        logging (a backup bucket's Object Lock and lifecycle: `buckets_with_role`)."""
        return self._memo.get("buckets", self._read_buckets)

    def _read_buckets(self) -> list[Resource]:
        listed = self.call("s3", "list_buckets", "the account") or {}
        return self.in_parallel(self._bucket, [b["Name"] for b in listed.get("Buckets", [])])

    def _bucket(self, name: str) -> Resource:
        bucket = Resource(name)
        for fact, (api, key) in BUCKET_READS.items():
            self._fact(bucket, fact, lambda api=api, key=key: self._bucket_read(name, api, key))
        return bucket

    def _bucket_read(self, name: str, api: str, key: str) -> Any:
        response = self.call("s3", api, f"bucket {name}", Bucket=name)
        if response is None:
            return None
        value = response.get(key)
        return json.loads(value) if api == "get_bucket_policy" and value else value

    def buckets_with_role(self, role: str) -> list[Resource]:
        """The buckets whose role (tagged, or decided by the role rules) is `role`; a backup
        bucket with its Object Lock and lifecycle too (read for backup buckets only)."""
        found = [b for b in self.buckets() if _value(self.role_of(b.name, ROLE)) == role]
        if role == BACKUP:
            self.in_parallel(self._backup_bucket_facts, found)
        return found

    def _backup_bucket_facts(self, bucket: Resource) -> None:
        def read() -> None:
            for fact, (api, key) in BACKUP_BUCKET_READS.items():
                self._fact(bucket, fact, lambda api=api, key=key: self._bucket_read(
                    bucket.name, api, key))
        self._memo.get(("backup-facts", bucket.name), read)

    def role_of(self, thing: str, key: str) -> Role | None:
        """The role (tag `key`) of a key (by ARN) or bucket (by name); None: it has none."""
        role = self.estate_roles().get(thing)
        return role if role is not None and role.key == key else None

    def replication(self, bucket: str) -> dict | None:
        """A bucket's replication configuration (None: it replicates nowhere)."""
        def read() -> dict | None:
            response = self.call("s3", "get_bucket_replication", f"bucket {bucket}",
                                 Bucket=bucket)
            return None if response is None else response.get("ReplicationConfiguration")
        return self._memo.get(("replication", bucket), read)

    def estate_roles(self) -> dict[str, Role]:
        """Each key's (by ARN) and bucket's (by name) role, tagged or decided by the role rules
        the gate uses (`trustctl.roles`): vaults, IAM grants and replication, not our tags."""
        def decide() -> dict[str, Role]:  # each read in parallel inside (never nested in the pool)
            return decide_roles(live_estate(
                self.kms_keys(), self.buckets(), self.backup_vaults(), self.iam.policies(),
                lambda name: replication_targets(self.replication(name))))
        return self._memo.get("estate-roles", decide)

    def account_public_access_block(self) -> dict | None:
        def read() -> dict | None:
            response = self.call("s3control", "get_public_access_block", "the account",
                                 AccountId=self.account_id())
            return None if response is None else response["PublicAccessBlockConfiguration"]
        return self._memo.get("account-pab", read)

    def key_in_its_region(self, key_arn: str) -> dict:
        """A KMS key's metadata read in the region its ARN names (the recovery region's backup
        key replica is not listed by the audited region's KMS)."""
        region = key_arn.split(":")[3] if key_arn.startswith("arn:") else None
        return self._memo.get(("key", key_arn), lambda: self.call(
            "kms", "describe_key", key_arn, region=region, KeyId=key_arn)["KeyMetadata"])

    def backup_key_arns(self) -> set[str]:
        """ARNs of the backup keys: tagged trustctl:purpose=backup, or decided by the role rules
        (the key an AWS Backup vault encrypts with), as the gate decides them."""
        return {k.name for k in self.kms_keys()
                if _value(self.role_of(k.name, PURPOSE)) == BACKUP}

    def backup_vaults(self) -> list[dict]:
        return self._memo.get("vaults", lambda: self.pages(
            "backup", "list_backup_vaults", "BackupVaultList", "the account"))

    def backup_plans(self) -> list[dict]:
        def read() -> list[dict]:
            listed = self.pages("backup", "list_backup_plans", "BackupPlansList", "the account")
            return self.in_parallel(lambda p: self.call(
                "backup", "get_backup_plan", p["BackupPlanId"], BackupPlanId=p["BackupPlanId"]),
                listed)
        return self._memo.get("plans", read)

    def backup_selections(self) -> list[dict]:
        """Every selection of every plan: {plan, Resources, ListOfTags, Conditions, ...}."""
        def read() -> list[dict]:
            listed = [(p["BackupPlanId"], p["BackupPlan"]["BackupPlanName"], s["SelectionId"])
                      for p in self.backup_plans()
                      for s in self.pages("backup", "list_backup_selections",
                                          "BackupSelectionsList", p["BackupPlanId"],
                                          BackupPlanId=p["BackupPlanId"])]
            return self.in_parallel(lambda item: {"plan": item[1], **self.call(
                "backup", "get_backup_selection", item[2], BackupPlanId=item[0],
                SelectionId=item[2])["BackupSelection"]}, listed)
        return self._memo.get("selections", read)

    def recovery_points(self, vault: str) -> list[dict]:
        return self._memo.get(("points", vault), lambda: self.pages(
            "backup", "list_recovery_points_by_backup_vault", "RecoveryPoints", vault,
            BackupVaultName=vault))

    def restore_testing_plans(self) -> list[dict]:
        return self._memo.get("restore-testing", lambda: self.pages(
            "backup", "list_restore_testing_plans", "RestoreTestingPlans", "the account"))

    def trails(self) -> list[dict]:
        """Every trail with its status and event selectors."""
        def read() -> list[dict]:
            listed = self.call("cloudtrail", "describe_trails", "the account",
                               includeShadowTrails=False)["trailList"]
            return self.in_parallel(self._trail, listed)
        return self._memo.get("trails", read)

    def _trail(self, trail: dict) -> dict:
        arn = trail["TrailARN"]
        status = self.call("cloudtrail", "get_trail_status", arn, Name=arn)
        selectors = self.call("cloudtrail", "get_event_selectors", arn, TrailName=arn) or {}
        return {**trail, "IsLogging": status.get("IsLogging"),
                "EventSelectors": selectors.get("EventSelectors") or [],
                "AdvancedEventSelectors": selectors.get("AdvancedEventSelectors") or []}

    def databases(self) -> list[dict]:
        """RDS instances and clusters (every engine, Aurora and DocumentDB included) and
        Redshift clusters, as {kind, id, public, security_groups}."""
        def read() -> list[dict]:
            found = [{"kind": f"rds {d.get('Engine')}", "id": d["DBInstanceIdentifier"],
                      "public": bool(d.get("PubliclyAccessible"))}
                     for d in self.pages("rds", "describe_db_instances", "DBInstances",
                                         "the account")]
            found += [{"kind": f"rds cluster {c.get('Engine')}", "id": c["DBClusterIdentifier"],
                       "public": bool(c.get("PubliclyAccessible"))}
                      for c in self.pages("rds", "describe_db_clusters", "DBClusters",
                                          "the account")]
            found += [{"kind": "redshift", "id": c["ClusterIdentifier"],
                       "public": bool(c.get("PubliclyAccessible"))}
                      for c in self.pages("redshift", "describe_clusters", "Clusters",
                                          "the account")]
            return found
        return self._memo.get("databases", read)

    def security_groups(self) -> list[dict]:
        return self._memo.get("sgs", lambda: self.pages(
            "ec2", "describe_security_groups", "SecurityGroups", "the account"))

    def subnets(self) -> list[dict]:
        return self._memo.get("subnets", lambda: self.pages(
            "ec2", "describe_subnets", "Subnets", "the account"))

    def route_tables(self) -> list[dict]:
        return self._memo.get("route-tables", lambda: self.pages(
            "ec2", "describe_route_tables", "RouteTables", "the account"))

    def network_roles(self) -> dict[str, Role]:
        """Each subnet's and route table's tier (by id), tagged or decided by the role rules
        the gate uses: an internet gateway route makes a table and its subnets public, and a
        VPC hosting internal services keeps a private subnet."""
        def decide() -> dict[str, Role]:
            endpoints = self.pages("ec2", "describe_vpc_endpoints", "VpcEndpoints",
                                   "the account")
            subnet_groups = self.pages("rds", "describe_db_subnet_groups", "DBSubnetGroups",
                                       "the account")
            return decide_roles(network_estate(self.subnets(), self.route_tables(), endpoints,
                                               self.security_groups(), subnet_groups))
        return self._memo.get("network-roles", decide)


def _value(role: Role | None) -> str | None:
    return role.value if role is not None else None
