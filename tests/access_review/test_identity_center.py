"""IAM Identity Center against moto: users and groups, permission sets, account assignments."""

from __future__ import annotations

import json

from access_review.support import ACCOUNT, checks_on, judged, row
from trustctl.access_review import identity_center
from trustctl.access_review.inventory import Inventory
from trustctl.aws import AwsTarget, client


def directory(aws: AwsTarget) -> tuple[dict, object, object]:
    sso = client("sso-admin", aws)
    return sso.list_instances()["Instances"][0], sso, client("identitystore", aws)


def user(store: object, instance: dict, name: str) -> str:
    return store.create_user(IdentityStoreId=instance["IdentityStoreId"], UserName=name,
                             DisplayName=name, Name={"GivenName": name, "FamilyName": "X"}
                             )["UserId"]


def permission_set(sso: object, instance: dict, name: str, statement: dict) -> str:
    arn = sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name=name)[
        "PermissionSet"]["PermissionSetArn"]
    sso.put_inline_policy_to_permission_set(
        InstanceArn=instance["InstanceArn"], PermissionSetArn=arn,
        InlinePolicy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    return arn


def assign(sso: object, instance: dict, ps: str, kind: str, principal_id: str) -> None:
    sso.create_account_assignment(InstanceArn=instance["InstanceArn"], TargetId=ACCOUNT,
                                  TargetType="AWS_ACCOUNT", PermissionSetArn=ps,
                                  PrincipalType=kind, PrincipalId=principal_id)
    sso.provision_permission_set(InstanceArn=instance["InstanceArn"], PermissionSetArn=ps,
                                 TargetType="ALL_PROVISIONED_ACCOUNTS")


def collected(aws: AwsTarget) -> Inventory:
    inventory = Inventory()
    identity_center.collect(aws, inventory)
    return inventory


def test_group_assignments_reach_each_member_with_the_sets_data_access(aws, the_roster):
    instance, sso, store = directory(aws)
    alice, mallory = user(store, instance, "alice"), user(store, instance, "mallory")
    group = store.create_group(IdentityStoreId=instance["IdentityStoreId"],
                               DisplayName="engineers")["GroupId"]
    for member in (alice, mallory):
        store.create_group_membership(IdentityStoreId=instance["IdentityStoreId"],
                                      GroupId=group, MemberId={"UserId": member})
    ps = permission_set(sso, instance, "DataAdmin",
                        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assign(sso, instance, ps, "GROUP", group)
    accesses, flags = judged(collected(aws), the_roster)
    reached = row(accesses, "sso:user/mallory", "s3:*")
    assert reached.level == "admin"
    assert reached.via == [f"permission set DataAdmin in account {ACCOUNT} through group engineers"]
    assert checks_on(flags, "sso:user/mallory") == {"not-on-roster"}
    assert checks_on(flags, "sso:user/alice") == set()


def test_a_direct_user_assignment_without_data_access_is_account_access(aws, the_roster):
    instance, sso, store = directory(aws)
    alice = user(store, instance, "alice")
    ps = permission_set(sso, instance, "Billing",
                        {"Effect": "Allow", "Action": "aws-portal:View*", "Resource": "*"})
    assign(sso, instance, ps, "USER", alice)
    accesses, _flags = judged(collected(aws), the_roster)
    assert [(a.principal, a.resource, a.level) for a in accesses] == [
        ("sso:user/alice", f"aws:account/{ACCOUNT}", "none")]


def test_users_without_assignments_have_no_production_access(aws, the_roster):
    instance, sso, store = directory(aws)
    user(store, instance, "mallory")
    permission_set(sso, instance, "Unassigned", {"Effect": "Allow", "Action": "*",
                                                 "Resource": "*"})
    inventory = collected(aws)
    assert inventory.accesses == [] and inventory.errors == []
    assert inventory.sources["aws-identity-center"] == "read"


def test_customer_managed_policies_resolve_in_the_assigned_account(aws, the_roster):
    instance, sso, store = directory(aws)
    alice = user(store, instance, "alice")
    client("iam", aws).create_policy(PolicyName="read-files", Path="/claver/", PolicyDocument=(
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::files/*"}]})))
    ps = sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name="Reader")[
        "PermissionSet"]["PermissionSetArn"]
    sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=instance["InstanceArn"], PermissionSetArn=ps,
        CustomerManagedPolicyReference={"Name": "read-files", "Path": "/claver/"})
    assign(sso, instance, ps, "USER", alice)
    accesses, _flags = judged(collected(aws), the_roster)
    assert row(accesses, "sso:user/alice", "s3:files").level == "read"


def test_a_reference_to_a_policy_missing_in_the_account_is_an_error_entry(aws, the_roster):
    instance, sso, store = directory(aws)
    alice = user(store, instance, "alice")
    ps = sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name="Reader")[
        "PermissionSet"]["PermissionSetArn"]
    sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=instance["InstanceArn"], PermissionSetArn=ps,
        CustomerManagedPolicyReference={"Name": "absent"})
    assign(sso, instance, ps, "USER", alice)
    inventory = collected(aws)
    assert inventory.accesses == []
    [error] = inventory.errors
    assert error.what == f"permission set Reader in account {ACCOUNT}"
    assert "NoSuchEntity" in error.message
