"""RPO-RTO in a regional outage: backups, and the key that opens them, also in the recovery region.

The recovery region comes from stack config (`trustctl:recoveryRegion`, us-west-2 for prod).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from infra_queries import (
    BUCKET,
    arn_of,
    bucket_part,
    child,
    hardened_bucket,
    one,
    policy,
    statements,
)

from trustctl.errors import InputError
from trustctl.plan import Plan, plan_program

RECOVERY = "us-west-2"
RETENTION = 35
KEY = "aws:kms/key:Key"
REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"
VAULT = "aws:backup/vault:Vault"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def test_backup_key_is_multi_region_with_a_replica_in_the_recovery_region(prod_plan: Plan) -> None:
    primary = one(prod_plan, KEY, "keys-backups")
    assert primary.inputs["multiRegion"] is True
    assert "keys-customer-data" not in {k.name for k in prod_plan.of_type(REPLICA_KEY)}
    replica = one(prod_plan, REPLICA_KEY, "backups-replica")
    assert replica.inputs["region"] == RECOVERY
    assert replica.inputs["primaryKeyArn"] == arn_of(primary)
    assert replica.inputs["tags"] == {"trustctl:purpose": "backup"}
    alias = one(prod_plan, "aws:kms/alias:Alias", "backups-replica-alias")
    assert alias.inputs["region"] == RECOVERY


def test_replica_key_is_usable_only_by_backup_principals_through_recovery_services(
        prod_plan: Plan) -> None:
    by_sid = statements(policy(one(prod_plan, REPLICA_KEY, "backups-replica")))
    assert by_sid["AwsBackupThroughBackupService"]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"backup.{RECOVERY}.amazonaws.com"}}
    assert by_sid["S3ReplicationThroughS3"]["Condition"]["StringEquals"][
        "kms:ViaService"] == f"s3.{RECOVERY}.amazonaws.com"
    # In an outage the restorer unwraps data keys here, with the backup's context only.
    envelope = by_sid["DrillJobUnwrapsDataKeys"]
    assert envelope["Principal"] == {"AWS": arn_of(one(prod_plan, "aws:iam/role:Role",
                                                       "jobs-drill"))}
    assert envelope["Condition"]["Null"] == {"kms:EncryptionContext:trustctl:backup-id": "false"}
    admin = by_sid["AccountAdministersWithoutUse"]
    assert "kms:Decrypt" not in admin["Action"]


@pytest.mark.parametrize("bucket", ["backups-replica", "recovery-logs"])
def test_recovery_buckets_and_every_part_of_them_live_in_the_recovery_region(
        prod_plan: Plan, bucket: str) -> None:
    component = hardened_bucket(prod_plan, bucket)
    parts = [r for r in prod_plan.resources if r.parent == component.urn]
    assert len(parts) >= 7
    assert {p.inputs.get("region") for p in parts} == {RECOVERY}


def test_replica_bucket_has_the_backup_bucket_protections(prod_plan: Plan) -> None:
    name = "backups-replica"
    bucket = one(prod_plan, BUCKET, name)
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.inputs["tags"] == {"trustctl:role": "backup-replica"}
    lock = bucket_part(prod_plan, name,
                       "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": RETENTION}}
    [rule] = bucket_part(prod_plan, name, "aws:s3/bucketLifecycleConfiguration:"
                         "BucketLifecycleConfiguration").inputs["rules"]
    assert rule["expiration"] == {"days": RETENTION} and rule["filter"] == {}
    [sse] = bucket_part(prod_plan, name, SSE).inputs["rules"]
    assert sse["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": arn_of(one(prod_plan, REPLICA_KEY, "backups-replica"))}
    block = bucket_part(prod_plan, name, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(block.inputs[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                                  "ignorePublicAcls", "restrictPublicBuckets"))
    by_sid = statements(policy(bucket_part(prod_plan, name, "aws:s3/bucketPolicy:BucketPolicy")))
    assert by_sid["DenyInsecureTransport"]["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}}
    assert "DenyUploadsWithAnotherKey" in by_sid
    logging = bucket_part(prod_plan, name, "aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["targetBucket"] == one(prod_plan, BUCKET, "recovery-logs").name


def test_backup_bucket_replicates_everything_with_its_lock_under_the_replica_key(
        prod_plan: Plan) -> None:
    replication = one(prod_plan, REPLICATION, "replication")
    source = one(prod_plan, BUCKET, "database-backups")
    assert replication.inputs["bucket"] == source.name  # the mock gives a bucket its name as id
    role = one(prod_plan, "aws:iam/role:Role", "backup-replica-replication")
    assert replication.inputs["role"] == arn_of(role)
    [rule] = replication.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
    destination = rule["destination"]
    assert destination["bucket"] == arn_of(one(prod_plan, BUCKET, "backups-replica"))
    assert destination["encryptionConfiguration"] == {
        "replicaKmsKeyId": arn_of(one(prod_plan, REPLICA_KEY, "backups-replica"))}
    assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert destination["metrics"]["status"] == "Enabled"
    versionings = {child(prod_plan, hardened_bucket(prod_plan, b),
                         "aws:s3/bucketVersioning:BucketVersioning").urn
                   for b in ("database-backups", "backups-replica")}
    assert versionings <= set(replication.dependencies)


def test_replication_role_reads_the_source_with_its_retention_and_writes_only_replicas(
        prod_plan: Plan) -> None:
    role = one(prod_plan, "aws:iam/role:Role", "backup-replica-replication")
    [trust] = policy(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    by_sid = statements(policy(one(prod_plan, "aws:iam/rolePolicy:RolePolicy",
                                   "backup-replica-replication")))
    assert "s3:GetObjectRetention" in by_sid["ReadSourceVersions"]["Action"]
    assert by_sid["WriteReplicas"]["Resource"] == arn_of(
        one(prod_plan, BUCKET, "backups-replica")) + "/*"
    assert not any(a.startswith("s3:Delete") for s in by_sid.values() for a in s["Action"])


def test_recovery_vault_is_locked_under_the_replica_key_and_receives_every_copy(
        prod_plan: Plan) -> None:
    vault = one(prod_plan, VAULT, "recovery-vault")
    assert vault.inputs["region"] == RECOVERY
    assert vault.inputs["kmsKeyArn"] == arn_of(one(prod_plan, REPLICA_KEY, "backups-replica"))
    lock = one(prod_plan, "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
               "recovery-vault-lock")
    assert lock.inputs["region"] == RECOVERY
    assert lock.inputs["backupVaultName"] == vault.inputs["name"]
    assert lock.inputs["minRetentionDays"] == RETENTION
    assert lock.inputs["changeableForDays"] >= 3
    [rule] = one(prod_plan, "aws:backup/plan:Plan", "plan").inputs["rules"]
    assert rule["copyActions"] == [{"destinationVaultArn": arn_of(vault),
                                    "lifecycle": {"deleteAfter": RETENTION}}]


def test_the_recovery_region_comes_from_stack_config(repo_root: Path) -> None:
    plan = plan_program(repo_root, "prod", {"recoveryRegion": "eu-west-1"})
    assert one(plan, REPLICA_KEY, "backups-replica").inputs["region"] == "eu-west-1"
    assert one(plan, VAULT, "recovery-vault").inputs["region"] == "eu-west-1"
    assert one(plan, BUCKET, "backups-replica").inputs["region"] == "eu-west-1"


def test_a_recovery_region_equal_to_the_primary_is_refused(repo_root: Path) -> None:
    with pytest.raises(InputError) as raised:
        plan_program(repo_root, "prod", {"recoveryRegion": "us-east-1"})
    assert "trustctl:recoveryRegion: us-east-1 is aws:region itself" in str(raised.value)
