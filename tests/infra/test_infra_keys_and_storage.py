"""ENC-AT-REST and BACKUP-KEY-SEPARATE: customer-managed keys, and which bucket uses which."""

from __future__ import annotations

import pytest
from infra_queries import (
    BUCKET,
    arn_of,
    bucket_part,
    dependents,
    hardened_bucket,
    one,
    policy,
    statements,
)

from trustctl.plan import Plan

KEY = "aws:kms/key:Key"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_SUFFIXES = ("customer-files", "database-backups", "audit-logs", "access-logs", "evidence",
                   "backups-replica")
# Which customer-managed key encrypts which bucket (the access-log bucket: SSE-S3, see Storage).
KEY_OF_BUCKET = {"customer-files": "customer-data", "database-backups": "backups",
                 "audit-logs": "audit-logs"}


def _default_encryption(plan: Plan, bucket: str) -> dict:
    rules = bucket_part(plan, bucket, SSE).inputs["rules"]
    assert len(rules) == 1
    return rules[0]


def test_three_separate_rotating_customer_managed_keys(prod_plan: Plan) -> None:
    keys = [k for k in prod_plan.of_type(KEY) if k.inputs["keyUsage"] == "ENCRYPT_DECRYPT"]
    assert sorted(k.name for k in keys) == ["keys-audit-logs", "keys-backups", "keys-customer-data"]
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"  # AES-256-GCM
        assert 7 <= key.inputs["deletionWindowInDays"] <= 30
        assert key.inputs["rotationPeriodInDays"] <= 365
    # + the evidence signing key, + the backup key's replica
    assert len(prod_plan.of_type("aws:kms/alias:Alias")) == 3 + 1 + 1


def test_account_administers_keys_but_cannot_use_them(prod_plan: Plan) -> None:
    for key in prod_plan.of_type(KEY):
        admin = statements(policy(key))["AccountAdministersWithoutUse"]
        assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
        assert not {"kms:*", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"} & set(
            admin["Action"])


@pytest.mark.parametrize("bucket", sorted(KEY_OF_BUCKET))
def test_bucket_is_encrypted_with_its_own_key(prod_plan: Plan, bucket: str) -> None:
    rule = _default_encryption(prod_plan, bucket)
    key = one(prod_plan, KEY, KEY_OF_BUCKET[bucket])
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": arn_of(key)}
    assert rule["bucketKeyEnabled"] is True


def test_data_and_backup_buckets_never_share_a_key(prod_plan: Plan) -> None:
    data = _default_encryption(prod_plan, "customer-files")["applyServerSideEncryptionByDefault"]
    backup = _default_encryption(prod_plan, "database-backups")[
        "applyServerSideEncryptionByDefault"]
    assert data["kmsMasterKeyId"] != backup["kmsMasterKeyId"]


def test_access_log_bucket_is_aes256_because_s3_logging_cannot_use_kms(prod_plan: Plan) -> None:
    rule = _default_encryption(prod_plan, "access-logs")
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_backup_key_is_used_only_by_the_vault_and_the_backup_bucket(prod_plan: Plan) -> None:
    """Besides its alias, only the vault and the backup bucket encrypt with it; the scheduled
    jobs' policies name it to use it (backup, drill, audit), and encrypt nothing themselves."""
    backup_key = one(prod_plan, KEY, "backups")
    assert dependents(prod_plan, backup_key) == {
        "keys-backups-alias",
        "backups-vault",
        "claver-prod-database-backups-encryption",
        "claver-prod-database-backups-policy",
        "jobs-backup", "jobs-drill", "jobs-audit",
        "keys-backups-replica",  # the multi-Region key's replica: the same key, elsewhere
        "backup-replica-replication",  # replication decrypts backups to copy them
    }


def test_backup_key_policy_lets_only_backup_principals_use_it(prod_plan: Plan) -> None:
    backup_key = one(prod_plan, KEY, "backups")
    by_sid = statements(policy(backup_key))
    users = set()
    for sid, statement in by_sid.items():
        if sid not in ("AccountAdministersWithoutUse", "S3ReplicationThroughS3"):
            principals = statement["Principal"]["AWS"]
            users |= {principals} if isinstance(principals, str) else set(principals)
    role_arns = {arn_of(one(prod_plan, "aws:iam/role:Role", n))
                 for n in ("access-aws-backup", "jobs-backup", "jobs-drill", "jobs-audit")}
    assert users == role_arns
    assert by_sid["AwsBackupThroughBackupService"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "backup.us-east-1.amazonaws.com"}}
    wrap, unwrap = by_sid["BackupJobWrapsDataKeys"], by_sid["DrillJobUnwrapsDataKeys"]
    assert wrap["Action"] == ["kms:GenerateDataKey"]  # the backup job cannot unwrap a key
    assert unwrap["Action"] == ["kms:Decrypt"]
    for envelope in (wrap, unwrap):
        assert envelope["Condition"]["Null"] == {
            "kms:EncryptionContext:trustctl:backup-id": "false"}
    readers = by_sid["ReadersDecryptThroughS3"]
    assert readers["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    replication = by_sid["S3ReplicationThroughS3"]["Condition"]["StringEquals"]
    role_name = one(prod_plan, "aws:iam/role:Role", "replication").inputs["name"]
    assert replication == {"kms:ViaService": "s3.us-east-1.amazonaws.com",
                           "aws:PrincipalArn": f"arn:aws:iam::123456789012:role/{role_name}"}


def test_data_key_is_usable_only_through_s3(prod_plan: Plan) -> None:
    data_key = one(prod_plan, KEY, "customer-data")
    use = statements(policy(data_key))
    assert set(use) == {"AccountAdministersWithoutUse", "UseThroughS3InThisAccount"}
    assert use["UseThroughS3InThisAccount"]["Condition"]["StringEquals"][
        "kms:ViaService"] == "s3.us-east-1.amazonaws.com"


def test_audit_key_lets_cloudtrail_encrypt_only_for_this_trail(prod_plan: Plan) -> None:
    cloudtrail = statements(policy(one(prod_plan, KEY, "audit-logs")))["CloudTrailEncryptsItsLogs"]
    trail_name = one(prod_plan, "aws:cloudtrail/trail:Trail", "audit-trail").inputs["name"]
    assert cloudtrail["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert cloudtrail["Condition"]["StringEquals"] == {
        "aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:123456789012:trail/{trail_name}"}
    assert "kms:EncryptionContext:aws:cloudtrail:arn" in cloudtrail["Condition"]["StringLike"]


@pytest.mark.parametrize("bucket", BUCKET_SUFFIXES)
def test_every_bucket_blocks_all_public_access(prod_plan: Plan, bucket: str) -> None:
    block = bucket_part(prod_plan, bucket, PUBLIC_ACCESS_BLOCK).inputs
    assert {k: block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                  "restrictPublicBuckets")} == dict.fromkeys(
        ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)


@pytest.mark.parametrize("bucket", BUCKET_SUFFIXES)
def test_every_bucket_is_versioned_owner_enforced_and_tls_only(
    prod_plan: Plan, bucket: str
) -> None:
    versioning = bucket_part(prod_plan, bucket, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    ownership = bucket_part(prod_plan, bucket,
                            "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    deny_http = statements(policy(bucket_part(prod_plan, bucket, BUCKET_POLICY)))[
        "DenyInsecureTransport"]
    assert deny_http["Effect"] == "Deny"
    assert deny_http["Principal"] == "*"
    assert deny_http["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    bucket_arn = arn_of(one(prod_plan, BUCKET, bucket))
    assert set(deny_http["Resource"]) == {bucket_arn, f"{bucket_arn}/*"}


@pytest.mark.parametrize("bucket", ["customer-files", "database-backups"])
def test_uploads_naming_another_key_are_denied(prod_plan: Plan, bucket: str) -> None:
    by_sid = statements(policy(bucket_part(prod_plan, bucket, BUCKET_POLICY)))
    key_arn = arn_of(one(prod_plan, KEY, KEY_OF_BUCKET[bucket]))
    other_key = by_sid["DenyUploadsWithAnotherKey"]
    assert other_key["Effect"] == "Deny"
    assert other_key["Condition"] == {"StringNotEqualsIfExists": {
        "s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}}


@pytest.mark.parametrize("bucket", ["customer-files", "database-backups", "audit-logs"])
def test_bucket_access_is_logged_to_the_access_log_bucket(prod_plan: Plan, bucket: str) -> None:
    logging = bucket_part(prod_plan, bucket, "aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["targetBucket"] == one(prod_plan, BUCKET, "access-logs").name
    assert logging.inputs["targetPrefix"].endswith("/")


def test_access_log_bucket_does_not_log_into_itself(prod_plan: Plan) -> None:
    access_logs = hardened_bucket(prod_plan, "access-logs")
    assert [r for r in prod_plan.of_type("aws:s3/bucketLogging:BucketLogging")
            if r.parent == access_logs.urn] == []
    delivery = statements(policy(bucket_part(prod_plan, "access-logs", BUCKET_POLICY)))[
        "S3ServerAccessLogDelivery"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_keys_and_buckets_are_tagged_for_the_gate(prod_plan: Plan) -> None:
    """The gate recognises the backup key and bucket by these tags, and nothing else."""
    purposes = {k.name: k.inputs["tags"]["trustctl:purpose"] for k in prod_plan.of_type(KEY)}
    assert purposes == {"keys-customer-data": "customer-data", "keys-backups": "backup",
                        "keys-audit-logs": "audit-logs", "evidence-signing": "evidence-signing"}
    roles = {b.name: b.inputs["tags"]["trustctl:role"] for b in prod_plan.of_type(BUCKET)}
    assert [n for n, role in roles.items() if role == "backup"] == [
        "claver-prod-database-backups"]
    assert len(set(roles.values())) == len(BUCKET_SUFFIXES)
