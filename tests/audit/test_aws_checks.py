"""Every AWS check passes on the compliant account and fails when one thing is broken,
through boto3 against moto in server mode."""

from __future__ import annotations

import json

import pytest

from tests.audit.conftest import messages
from trustctl.audit.registry import all_checks
from trustctl.aws import client, reach_local_s3control
from trustctl.report.results import Status
from trustctl.sandbox.account import (
    FILE_BUCKET,
    ON_CALL_ROLE,
    PAB,
    TRAIL,
    VAULT,
    tls_only_policy,
)

# AUD_AWS_17 (root MFA: moto always says none) and AUD_AWS_22-24 (AWS Backup APIs moto lacks)
# have their own tests: test_root_*, test_backup_checks.py
ELSEWHERE = {"AUD_AWS_17", "AUD_AWS_22", "AUD_AWS_23", "AUD_AWS_24"}
AWS_CHECKS = [c.id for c in all_checks() if c.metadata.area == "aws" and c.id not in ELSEWHERE]


@pytest.mark.parametrize("check_id", AWS_CHECKS)
def test_compliant_account_passes(run_check, check_id):
    outcome = run_check(check_id)
    assert outcome.status == Status.PASS, (outcome.findings, outcome.unreadable)


def test_kms_rotation_off_fails(aws, account, run_check, undo):
    kms = client("kms", aws)
    kms.disable_key_rotation(KeyId=account.data_key_arn)
    undo.append(lambda: kms.enable_key_rotation(KeyId=account.data_key_arn))
    assert messages(run_check("AUD_AWS_1")) == [f"{account.data_key_arn}: automatic key "
                                                "rotation is off"]


def test_bucket_without_cmk_fails(aws, account, run_check, undo):
    client("s3", aws).put_bucket_encryption(Bucket=FILE_BUCKET, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    undo.append(lambda: _encrypt(aws, FILE_BUCKET, account.data_key_arn))
    assert messages(run_check("AUD_AWS_2")) == [f"{FILE_BUCKET}: default encryption is AES256, "
                                                "not SSE-KMS"]


def test_backup_bucket_under_data_key_fails(aws, account, run_check, undo):
    _encrypt(aws, account.backup_bucket, account.data_key_arn)
    undo.append(lambda: _encrypt(aws, account.backup_bucket, account.backup_key_arn))
    outcome = run_check("AUD_AWS_3")
    assert outcome.status == Status.FAIL
    assert "not encrypted with the backup key" in messages(outcome)[0]


def test_vault_under_data_key_fails(aws, account, run_check, undo):
    backup = client("backup", aws)
    backup.create_backup_vault(BackupVaultName="rogue", EncryptionKeyArn=account.data_key_arn)
    undo.append(lambda: backup.delete_backup_vault(BackupVaultName="rogue"))
    assert messages(run_check("AUD_AWS_4")) == [f"rogue: encrypted with {account.data_key_arn}, "
                                                "not the backup key"]


def test_data_bucket_under_backup_key_fails(aws, account, run_check, undo):
    _encrypt(aws, FILE_BUCKET, account.backup_key_arn)
    undo.append(lambda: _encrypt(aws, FILE_BUCKET, account.data_key_arn))
    assert messages(run_check("AUD_AWS_5")) == [
        f"{FILE_BUCKET}: encrypted with the backup key {account.backup_key_arn} "
        "[purpose backup (tagged trustctl:purpose)]"]


def test_governance_object_lock_fails(aws, account, run_check, undo):
    s3 = client("s3", aws)
    before = s3.get_object_lock_configuration(Bucket=account.backup_bucket)
    s3.put_object_lock_configuration(
        Bucket=account.backup_bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 35}}})
    undo.append(lambda: s3.put_object_lock_configuration(
        Bucket=account.backup_bucket, ObjectLockConfiguration=before["ObjectLockConfiguration"]))
    assert "default retention is GOVERNANCE 35 days" in messages(run_check("AUD_AWS_6"))[0]


def test_backup_expiry_not_35_days_fails(aws, account, run_check, undo):
    s3 = client("s3", aws)
    before = s3.get_bucket_lifecycle_configuration(Bucket=account.backup_bucket)["Rules"]
    s3.put_bucket_lifecycle_configuration(
        Bucket=account.backup_bucket, LifecycleConfiguration={"Rules": [{
            "ID": "long", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 90}}]})
    undo.append(lambda: s3.put_bucket_lifecycle_configuration(
        Bucket=account.backup_bucket, LifecycleConfiguration={"Rules": before}))
    assert "say [90] days, not 35" in messages(run_check("AUD_AWS_7"))[0]


def test_unlocked_vault_fails(aws, account, run_check, undo):
    backup = client("backup", aws)
    backup.create_backup_vault(BackupVaultName="open", EncryptionKeyArn=account.backup_key_arn)
    undo.append(lambda: backup.delete_backup_vault(BackupVaultName="open"))
    assert messages(run_check("AUD_AWS_8")) == ["open: vault lock is off"]


def test_weekly_plan_fails(aws, account, run_check, undo):
    backup = client("backup", aws)
    for listed in backup.list_backup_plans()["BackupPlansList"]:
        plan = backup.get_backup_plan(BackupPlanId=listed["BackupPlanId"])["BackupPlan"]
        backup.delete_backup_plan(BackupPlanId=listed["BackupPlanId"])
        rules = [{k: r[k] for k in ("RuleName", "TargetBackupVaultName", "ScheduleExpression",
                                    "Lifecycle")} for r in plan["Rules"]]
        undo.append(lambda plan=plan, rules=rules: backup.create_backup_plan(BackupPlan={
            # moto keeps a deleted plan's name taken
            "BackupPlanName": plan["BackupPlanName"] + "-again", "Rules": rules}))
    weekly = backup.create_backup_plan(BackupPlan={"BackupPlanName": "weekly", "Rules": [{
        "RuleName": "weekly", "TargetBackupVaultName": VAULT,
        "ScheduleExpression": "cron(0 3 ? * SUN *)", "Lifecycle": {"DeleteAfterDays": 35}}]})
    undo.append(lambda: backup.delete_backup_plan(BackupPlanId=weekly["BackupPlanId"]))
    assert "no backup rule runs daily" in messages(run_check("AUD_AWS_9"))[0]


def test_public_access_unblocked_fails(aws, account, run_check, undo):
    s3, s3control = client("s3", aws), reach_local_s3control(client("s3control", aws))
    s3.delete_public_access_block(Bucket=FILE_BUCKET)
    s3control.delete_public_access_block(AccountId="123456789012")
    undo.append(lambda: s3.put_public_access_block(Bucket=FILE_BUCKET,
                                                   PublicAccessBlockConfiguration=PAB))
    undo.append(lambda: s3control.put_public_access_block(AccountId="123456789012",
                                                          PublicAccessBlockConfiguration=PAB))
    found = messages(run_check("AUD_AWS_10"))
    assert any(m.startswith("account: account-level block public access is off") for m in found)
    assert any(m.startswith(f"{FILE_BUCKET}: block public access is off") for m in found)


def test_bucket_without_tls_policy_fails(aws, account, run_check, undo):
    s3 = client("s3", aws)
    s3.delete_bucket_policy(Bucket=FILE_BUCKET)
    undo.append(lambda: s3.put_bucket_policy(Bucket=FILE_BUCKET,
                                             Policy=tls_only_policy(FILE_BUCKET)))
    assert messages(run_check("AUD_AWS_11")) == [
        f"{FILE_BUCKET}: no policy statement denies aws:SecureTransport=false"]


def test_versioning_suspended_fails(aws, account, run_check, undo):
    s3 = client("s3", aws)
    s3.put_bucket_versioning(Bucket=FILE_BUCKET, VersioningConfiguration={"Status": "Suspended"})
    undo.append(lambda: s3.put_bucket_versioning(Bucket=FILE_BUCKET,
                                                 VersioningConfiguration={"Status": "Enabled"}))
    assert messages(run_check("AUD_AWS_12")) == [f"{FILE_BUCKET}: versioning is Suspended"]


def test_access_logging_off_fails(aws, account, run_check, undo):
    s3 = client("s3", aws)
    before = s3.get_bucket_logging(Bucket=FILE_BUCKET)["LoggingEnabled"]
    s3.put_bucket_logging(Bucket=FILE_BUCKET, BucketLoggingStatus={})
    undo.append(lambda: s3.put_bucket_logging(Bucket=FILE_BUCKET,
                                              BucketLoggingStatus={"LoggingEnabled": before}))
    assert messages(run_check("AUD_AWS_13")) == [f"{FILE_BUCKET}: server access logging is off"]


def test_trail_stopped_fails(aws, account, run_check, undo):
    trail = client("cloudtrail", aws)
    trail.stop_logging(Name=TRAIL)
    undo.append(lambda: trail.start_logging(Name=TRAIL))
    assert messages(run_check("AUD_AWS_14")) == [f"{TRAIL}: not logging"]


def test_trail_logging_only_writes_fails(aws, account, run_check, undo):
    _selectors(aws, undo, EventSelectors=[{"ReadWriteType": "WriteOnly", "DataResources": [
        {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])
    found = messages(run_check("AUD_AWS_15"))
    assert f"{FILE_BUCKET}: no logging trail records its S3 object reads (GetObject)" in found


@pytest.mark.parametrize(("fields", "logs_reads"), [
    ([("eventCategory", "Equals", ["Data"]), ("resources.type", "Equals", ["AWS::S3::Object"])],
     True),
    ([("eventCategory", "Equals", ["Data"]), ("resources.type", "Equals", ["AWS::S3::Object"]),
      ("readOnly", "Equals", ["false"])], False),  # writes only: the common mistake
    ([("eventCategory", "Equals", ["Management"])], False),
    ([("eventCategory", "Equals", ["Data"]), ("resources.type", "Equals", ["AWS::S3::Object"]),
      ("resources.ARN", "StartsWith", ["arn:aws:s3:::some-other-bucket/"])], False),
])
def test_advanced_selectors(aws, account, run_check, undo, fields, logs_reads):
    selectors = [{"Name": "s3-reads", "FieldSelectors": [
        {"Field": name, op: values} for name, op, values in fields]}]
    _selectors(aws, undo, AdvancedEventSelectors=selectors)
    assert (run_check("AUD_AWS_15").status == Status.PASS) is logs_reads


def test_iam_user_with_password_and_key_fails(aws, account, run_check, undo):
    iam = client("iam", aws)
    iam.create_user(UserName="shared")
    iam.create_login_profile(UserName="shared", Password="Sup3r-secret-pw!")
    key = iam.create_access_key(UserName="shared")["AccessKey"]["AccessKeyId"]
    undo.append(lambda: iam.delete_user(UserName="shared"))
    undo.append(lambda: iam.delete_login_profile(UserName="shared"))
    undo.append(lambda: iam.delete_access_key(UserName="shared", AccessKeyId=key))
    assert messages(run_check("AUD_AWS_16")) == [
        "arn:aws:iam::123456789012:user/shared: IAM user can sign in: console password, "
        "access key 1"]


@pytest.mark.parametrize(("statement", "problem"), [
    ({"Principal": {"AWS": ["arn:aws:iam::123456789012:role/oncall-alice"]}},
     "assumable without MFA"),
    ({"Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
     "trusts principals outside the on-call list: arn:aws:iam::123456789012:root"),
    ({"Principal": {"AWS": ["arn:aws:iam::123456789012:role/oncall-alice"]},
      "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}},
     "assumable without MFA"),
])
def test_on_call_role_trust_fails(aws, account, run_check, undo, statement, problem):
    iam = client("iam", aws)
    before = iam.get_role(RoleName=ON_CALL_ROLE)["Role"]["AssumeRolePolicyDocument"]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", **statement}]}
    iam.update_assume_role_policy(RoleName=ON_CALL_ROLE, PolicyDocument=json.dumps(policy))
    undo.append(lambda: iam.update_assume_role_policy(RoleName=ON_CALL_ROLE,
                                                      PolicyDocument=json.dumps(before)))
    assert [m.split(": ", 1)[1] for m in messages(run_check("AUD_AWS_18"))] == [problem]


def test_public_database_fails(aws, account, run_check, undo):
    rds = client("rds", aws)
    undo.append(lambda: rds.delete_db_instance(DBInstanceIdentifier="exposed",
                                               SkipFinalSnapshot=True))
    rds.create_db_instance(
        DBInstanceIdentifier="exposed", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="admin", MasterUserPassword="Sup3r-secret-pw!", AllocatedStorage=20,
        PubliclyAccessible=True)
    assert messages(run_check("AUD_AWS_19")) == ["exposed: rds postgres is publicly accessible"]


def test_database_port_open_to_world_fails(aws, account, run_check, undo):
    ec2 = client("ec2", aws)
    group = ec2.create_security_group(GroupName="db", Description="db")["GroupId"]
    undo.append(lambda: ec2.delete_security_group(GroupId=group))
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    assert messages(run_check("AUD_AWS_20")) == [
        f"{group}: port 5432 (PostgreSQL) is open to the internet"]


def test_private_subnet_with_internet_route_fails(aws, account, run_check, undo):
    ec2 = client("ec2", aws)
    subnet = ec2.describe_subnets(SubnetIds=[account.private_subnet])["Subnets"][0]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=subnet["VpcId"])
    table = ec2.describe_route_tables(Filters=[{
        "Name": "association.subnet-id", "Values": [account.private_subnet]}])["RouteTables"][0]
    ec2.create_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=gateway)
    ec2.modify_subnet_attribute(SubnetId=account.private_subnet,
                                MapPublicIpOnLaunch={"Value": True})
    undo.append(lambda: ec2.delete_internet_gateway(InternetGatewayId=gateway))
    undo.append(lambda: ec2.detach_internet_gateway(InternetGatewayId=gateway,
                                                    VpcId=subnet["VpcId"]))
    undo.append(lambda: ec2.delete_route(RouteTableId=table["RouteTableId"],
                                         DestinationCidrBlock="0.0.0.0/0"))
    undo.append(lambda: ec2.modify_subnet_attribute(SubnetId=account.private_subnet,
                                                    MapPublicIpOnLaunch={"Value": False}))
    found = messages(run_check("AUD_AWS_21"))
    assert f"{account.private_subnet}: assigns public IPs on launch [tier private (tagged " \
           "trustctl:tier)]" in found
    assert f"{account.private_subnet}: routes to internet gateway {gateway} (route table " \
           f"{table['RouteTableId']}) [tier private (tagged trustctl:tier)]" in found


def _encrypt(aws, bucket, key_arn):
    client("s3", aws).put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                          "KMSMasterKeyID": key_arn}}]})


def _selectors(aws, undo, **selectors):
    trail = client("cloudtrail", aws)
    before = trail.get_event_selectors(TrailName=TRAIL)["EventSelectors"]
    trail.put_event_selectors(TrailName=TRAIL, **selectors)
    undo.append(lambda: trail.put_event_selectors(TrailName=TRAIL, EventSelectors=before))


def test_root_without_mfa_fails_on_moto(run_check):
    assert messages(run_check("AUD_AWS_17")) == ["root: root user has no MFA"]


class _RootIam:
    """What real AWS reports for a root user with MFA and no keys (moto cannot say so)."""

    def account_summary(self):
        return {"AccountMFAEnabled": 1}

    def credential_report(self):
        return [{"user": "<root_account>", "access_key_1_active": "false",
                 "access_key_2_active": "false", "mfa_active": "true"}]


class _RootFacts:
    iam = _RootIam()


def test_root_with_mfa_and_no_keys_passes():
    from tests.audit.conftest import check_by_id

    assert check_by_id("AUD_AWS_17").run(_RootFacts()).status == Status.PASS
