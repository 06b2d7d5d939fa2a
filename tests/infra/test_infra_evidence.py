"""The evidence store: a locked, audit-key-encrypted, logged bucket and a signing-only key."""

from __future__ import annotations

from infra_queries import BUCKET, arn_of, bucket_part, one, policy, statements

from trustctl.plan import Plan

KEY = "aws:kms/key:Key"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def test_records_are_locked_in_compliance_mode_for_the_audit_period_plus_a_year(
        prod_plan: Plan) -> None:
    bucket = one(prod_plan, BUCKET, "evidence")
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.inputs["tags"] == {"trustctl:role": "evidence"}
    lock = bucket_part(prod_plan, "evidence", OBJECT_LOCK).inputs
    assert lock["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 730}
    lifecycle = bucket_part(prod_plan, "evidence",
                            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle.inputs["rules"][0]["expiration"] == {"days": 730}  # never sooner


def test_records_are_encrypted_under_the_audit_log_key_and_access_is_logged(
        prod_plan: Plan) -> None:
    [rule] = bucket_part(prod_plan, "evidence", SSE).inputs["rules"]
    default = rule["applyServerSideEncryptionByDefault"]
    assert default == {"sseAlgorithm": "aws:kms",
                       "kmsMasterKeyId": arn_of(one(prod_plan, KEY, "audit-logs"))}
    logging = bucket_part(prod_plan, "evidence", "aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["targetBucket"] == one(prod_plan, BUCKET, "access-logs").name
    deny = statements(policy(bucket_part(prod_plan, "evidence",
                                         "aws:s3/bucketPolicy:BucketPolicy")))
    assert deny["DenyUploadsWithAnotherKey"]["Condition"] == {"StringNotEqualsIfExists": {
        "s3:x-amz-server-side-encryption-aws-kms-key-id": arn_of(
            one(prod_plan, KEY, "audit-logs"))}}


def test_records_can_be_written_once_and_never_overwritten_nor_deleted(prod_plan: Plan) -> None:
    by_sid = statements(policy(bucket_part(prod_plan, "evidence",
                                           "aws:s3/bucketPolicy:BucketPolicy")))
    once = by_sid["DenyRecordWritesThatCouldOverwrite"]
    assert (once["Effect"], once["Action"], once["Principal"]) == ("Deny", ["s3:PutObject"], "*")
    assert once["Condition"] == {"Null": {"s3:if-none-match": "true"}}
    assert once["Resource"].endswith("/records/*")
    kept = by_sid["DenyRecordDeletes"]
    assert (kept["Effect"], kept["Action"]) == ("Deny", ["s3:DeleteObject",
                                                         "s3:DeleteObjectVersion"])


def test_signing_key_signs_evidence_manifests_and_nothing_else(prod_plan: Plan) -> None:
    key = one(prod_plan, KEY, "evidence-signing")
    assert key.inputs["keyUsage"] == "SIGN_VERIFY"
    assert key.inputs["customerMasterKeySpec"] == "ECC_NIST_P256"
    assert key.inputs["deletionWindowInDays"] == 30
    by_sid = statements(policy(key))
    sign = by_sid["SignEvidenceManifestsOnly"]
    assert sign["Action"] == ["kms:Sign"]
    assert sign["Condition"] == {"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256",
                                                  "kms:MessageType": ["RAW", "DIGEST"]}}
    use = {a for s in by_sid.values() for a in s["Action"]}
    assert not use & {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"}
    aliases = [a for a in prod_plan.of_type("aws:kms/alias:Alias")
               if a.inputs["name"] == "alias/claver-prod-evidence-signing"]
    assert len(aliases) == 1
