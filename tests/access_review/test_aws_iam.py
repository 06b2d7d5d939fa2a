"""AWS IAM against moto in server mode: users, roles, trust, data access, last use, denial."""

from __future__ import annotations

import boto3
import pytest

from access_review.support import (
    ACCOUNT,
    allow,
    checks_on,
    judged,
    policy,
    refusing_aws,
    row,
    trust_policy,
)
from trustctl.access_review import aws_iam
from trustctl.access_review.inventory import Inventory
from trustctl.aws import AwsTarget, client

ALICE = f"arn:aws:iam::{ACCOUNT}:role/oncall-alice"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def collected(aws: AwsTarget) -> Inventory:
    inventory = Inventory()
    aws_iam.collect(aws, inventory)
    return inventory


def test_an_iam_user_is_a_finding(aws, the_roster):
    client("iam", aws).create_user(UserName="alice")
    accesses, flags = judged(collected(aws), the_roster)
    assert "iam-user" in checks_on(flags, "aws:user/alice")
    assert row(accesses, "aws:user/alice", f"aws:account/{ACCOUNT}").kind == "iam-user"


def test_no_iam_user_no_such_finding(aws, the_roster):
    client("iam", aws).create_role(RoleName="backup-writer",
                                   AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}, MFA))
    _accesses, flags = judged(collected(aws), the_roster)
    assert not [f for f in flags if f.check == "iam-user"]


def test_policies_are_summarized_to_data_stores_and_levels(aws, the_roster):
    iam = client("iam", aws)
    iam.create_role(RoleName="backup-writer",
                    AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}, MFA))
    iam.put_role_policy(RoleName="backup-writer", PolicyName="inline", PolicyDocument=policy(
        allow("s3:PutObject", "arn:aws:s3:::backups/*"),
        allow(["s3:GetObject*"], "arn:aws:s3:::customer-files/*"),
        allow("kms:Decrypt", f"arn:aws:kms:eu-west-2:{ACCOUNT}:key/k-1"),
        allow("ec2:*", "*")))
    arn = iam.create_policy(PolicyName="vault-admin", PolicyDocument=policy(
        allow("backup:*", f"arn:aws:backup:eu-west-2:{ACCOUNT}:backup-vault:prod")))[
        "Policy"]["Arn"]
    iam.attach_role_policy(RoleName="backup-writer", PolicyArn=arn)
    accesses, _flags = judged(collected(aws), the_roster)
    reached = {a.resource: a.level for a in accesses if a.principal == "aws:role/backup-writer"}
    assert reached == {"s3:backups": "write", "s3:customer-files": "read",
                       "kms:key/k-1": "read", "backup:prod": "admin"}
    assert row(accesses, "aws:role/backup-writer", "backup:prod").via == [
        "inline inline", "policy vault-admin"]


def test_a_role_reaching_no_data_store_still_appears(aws, the_roster):
    client("iam", aws).create_role(RoleName="backup-writer",
                                   AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}, MFA))
    accesses, _flags = judged(collected(aws), the_roster)
    only = row(accesses, "aws:role/backup-writer", f"aws:account/{ACCOUNT}")
    assert only.level == "none" and "no data store reached" in only.notes


@pytest.mark.parametrize("principal", [f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, "*"])
def test_a_role_any_principal_of_an_account_may_assume_is_a_finding(aws, the_roster, principal):
    trusted = "*" if principal == "*" else {"AWS": principal}
    client("iam", aws).create_role(RoleName="backup-writer",
                                   AssumeRolePolicyDocument=trust_policy(trusted))
    _accesses, flags = judged(collected(aws), the_roster)
    assert "account-wide-trust" in checks_on(flags, "aws:role/backup-writer")


def test_a_role_trusting_named_rostered_people_is_not_flagged(aws, the_roster):
    client("iam", aws).create_role(RoleName="backup-writer",
                                   AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}, MFA))
    accesses, flags = judged(collected(aws), the_roster)
    assert checks_on(flags, "aws:role/backup-writer") == set()
    trust = row(accesses, "aws:role/backup-writer", f"aws:account/{ACCOUNT}").trust
    assert [t.describe() for t in trust] == [f"{ALICE} (MFA)"]


def test_who_may_assume_a_role_must_be_on_the_roster(aws, the_roster):
    eve = f"arn:aws:iam::{ACCOUNT}:role/eve"
    client("iam", aws).create_role(RoleName="backup-writer",
                                   AssumeRolePolicyDocument=trust_policy({"AWS": [ALICE, eve]}))
    _accesses, flags = judged(collected(aws), the_roster)
    messages = [f.message for f in flags if f.principal == "aws:role/backup-writer"]
    assert messages == ["aws:role/backup-writer may be assumed by aws:role/eve, who is not on "
                        "the on-call roster"]


def test_a_role_not_on_the_roster_is_a_finding(aws, the_roster):
    client("iam", aws).create_role(RoleName="data-science",
                                   AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}, MFA))
    _accesses, flags = judged(collected(aws), the_roster)
    assert checks_on(flags, "aws:role/data-science") == {"not-on-roster"}


def test_external_id_and_service_principals_are_shown(aws, the_roster):
    iam = client("iam", aws)
    iam.create_role(RoleName="backup-writer", AssumeRolePolicyDocument=trust_policy(
        {"AWS": "arn:aws:iam::999988887777:role/vendor", "Service": "backup.amazonaws.com"},
        {"StringEquals": {"sts:ExternalId": "claver-42"}}))
    accesses, _flags = judged(collected(aws), the_roster)
    trust = row(accesses, "aws:role/backup-writer", f"aws:account/{ACCOUNT}").trust
    assert [t.describe() for t in trust] == ["arn:aws:iam::999988887777:role/vendor (external id)",
                                             "backup.amazonaws.com (external id)"]


def test_last_use_of_a_role_is_reported(aws, the_roster):
    iam = client("iam", aws)
    arn = iam.create_role(RoleName="backup-writer", AssumeRolePolicyDocument=trust_policy(
        {"AWS": ALICE}, MFA))["Role"]["Arn"]
    iam.create_role(RoleName="unused", AssumeRolePolicyDocument=trust_policy({"AWS": ALICE}))
    credentials = client("sts", aws).assume_role(RoleArn=arn, RoleSessionName="alice")[
        "Credentials"]
    boto3.session.Session(  # a call made with the role's session is what marks it used
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"], region_name=aws.region,
    ).client("s3", endpoint_url=aws.endpoint_url).list_buckets()
    accesses, _flags = judged(collected(aws), the_roster)
    assert row(accesses, "aws:role/backup-writer", f"aws:account/{ACCOUNT}").last_used
    assert row(accesses, "aws:role/unused", f"aws:account/{ACCOUNT}").last_used is None


def test_access_denied_is_an_error_entry_never_an_empty_account():
    inventory = Inventory()
    with refusing_aws() as url:
        aws_iam.collect(AwsTarget("eu-west-2", url), inventory)
    assert inventory.accesses == []
    assert {e.what for e in inventory.errors} == {
        "the account id (sts:GetCallerIdentity)", "IAM users", "IAM roles"}
    assert all("AccessDenied" in e.message for e in inventory.errors)


def test_an_unreachable_endpoint_is_an_error_entry():
    inventory = Inventory()
    aws_iam.collect(AwsTarget("eu-west-2", "http://127.0.0.1:9"), inventory)
    assert inventory.accesses == [] and len(inventory.errors) == 3
    assert "Could not connect" in inventory.errors[1].message
