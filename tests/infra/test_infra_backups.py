"""BACKUP-DAILY-35D and RPO-RTO: daily, 35 days, locked, restore-tested, audited."""

from __future__ import annotations

from infra_queries import arn_of, bucket_part, one

from trustctl.plan import Plan

RETENTION = 35
VAULT = "aws:backup/vault:Vault"


def _controls(plan: Plan) -> dict[str, dict[str, str]]:
    framework = one(plan, "aws:backup/framework:Framework", "promises")
    return {
        c["name"]: {p["name"]: p["value"] for p in c.get("inputParameters", [])}
        for c in framework.inputs["controls"]
    }


def test_backup_bucket_is_object_locked_in_compliance_mode_for_35_days(prod_plan: Plan) -> None:
    bucket = one(prod_plan, "aws:s3/bucket:Bucket", "database-backups")
    assert bucket.inputs["objectLockEnabled"] is True  # only possible at creation
    lock = bucket_part(prod_plan, "database-backups",
                       "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["objectLockEnabled"] == "Enabled"
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": RETENTION}}


def test_backup_bucket_expires_every_version_after_exactly_35_days(prod_plan: Plan) -> None:
    lifecycle = bucket_part(prod_plan, "database-backups",
                            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    # One rule for the whole bucket: the gate's CKV_TRUST_16 reads it, and an Expiration in
    # days also removes the delete markers it leaves once their versions are gone.
    [rule] = lifecycle.inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["filter"] == {}
    assert rule["expiration"] == {"days": RETENTION}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": RETENTION}


def test_vault_is_encrypted_with_the_backup_key_and_locked(prod_plan: Plan) -> None:
    vault = one(prod_plan, VAULT, "backups-vault")
    assert vault.inputs["kmsKeyArn"] == arn_of(one(prod_plan, "aws:kms/key:Key", "backups"))
    assert vault.inputs["forceDestroy"] is False
    lock = one(prod_plan, "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
                "backups-vault-lock")
    assert lock.inputs["backupVaultName"] == vault.inputs["name"]
    assert lock.inputs["minRetentionDays"] == RETENTION
    # A grace period makes it a compliance-mode lock: immutable once it ends.
    assert 3 <= lock.inputs["changeableForDays"] <= 7


def test_plan_backs_up_daily_and_deletes_after_35_days(prod_plan: Plan) -> None:
    [rule] = one(prod_plan, "aws:backup/plan:Plan", "plan").inputs["rules"]
    assert rule["schedule"] == "cron(0 5 * * ? *)"
    assert rule["lifecycle"] == {"deleteAfter": RETENTION}
    assert rule["targetVaultName"] == one(prod_plan, VAULT, "backups-vault").inputs["name"]
    assert rule["startWindow"] >= 60
    assert rule["completionWindow"] > rule["startWindow"]


def test_selection_covers_file_storage_with_the_aws_backup_role(prod_plan: Plan) -> None:
    selection = one(prod_plan, "aws:backup/selection:Selection", "file-storage")
    files = one(prod_plan, "aws:s3/bucket:Bucket", "customer-files")
    role = one(prod_plan, "aws:iam/role:Role", "aws-backup")
    assert selection.inputs["resources"] == [arn_of(files)]
    assert selection.inputs["iamRoleArn"] == arn_of(role)
    attached = {
        a.inputs["policyArn"]
        for a in prod_plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role.inputs["name"]
    }
    assert "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup" in attached
    assert "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore" in attached


def test_restores_of_file_storage_are_tested_on_a_schedule(prod_plan: Plan) -> None:
    plan = one(prod_plan, "aws:backup/restoreTestingPlan:RestoreTestingPlan", "restore-testing")
    selection = one(prod_plan, "aws:backup/restoreTestingSelection:RestoreTestingSelection",
                    "restore-testing-file-storage")
    assert plan.inputs["recoveryPointSelection"]["includeVaults"] == [
        arn_of(one(prod_plan, VAULT, "backups-vault"))]
    assert plan.inputs["scheduleExpression"].startswith("cron(")
    assert selection.inputs["restoreTestingPlanName"] == plan.inputs["name"]
    assert selection.inputs["protectedResourceArns"] == [
        arn_of(one(prod_plan, "aws:s3/bucket:Bucket", "customer-files"))]


def test_audit_framework_restates_the_backup_promises(prod_plan: Plan) -> None:
    controls = _controls(prod_plan)
    assert controls["BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"] == {
        "requiredFrequencyUnit": "days", "requiredFrequencyValue": "1",
        "requiredRetentionDays": "35"}
    assert controls["BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK"] == {
        "requiredRetentionDays": "35"}
    assert controls["BACKUP_RECOVERY_POINT_ENCRYPTED"] == {}
    assert controls["BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK"] == {
        "minRetentionDays": "35"}
    assert controls["BACKUP_LAST_RECOVERY_POINT_CREATED"] == {  # RPO 24 h
        "recoveryPointAgeUnit": "hours", "recoveryPointAgeValue": "24"}
    assert controls["RESTORE_TIME_FOR_RESOURCES_MEET_TARGET"] == {"maxRestoreTime": "240"}
