"""IAM Identity Center: which users (directly or through groups) hold which permission sets in
which accounts, and what data those permission sets reach.

Where Identity Center is not used (no instance), nothing is added and the source says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustctl.access_review import policy_summary
from trustctl.access_review.aws_iam import policy_document
from trustctl.access_review.aws_pages import pages
from trustctl.access_review.inventory import Access, Inventory
from trustctl.access_review.progress import QUIET, Progress
from trustctl.aws import AwsTarget, client

SOURCE = "aws-identity-center"


def collect(target: AwsTarget, inventory: Inventory, progress: Progress = QUIET) -> None:
    """Adds one access per user, permission set and data store it reaches."""
    sso = client("sso-admin", target)
    with inventory.reading(SOURCE, "Identity Center instances"):
        instances = pages(sso, "list_instances", "Instances")
        if not instances:
            inventory.sources[SOURCE] = "not used (no Identity Center instance)"
            return
        for instance in instances:
            _instance(target, sso, instance, inventory, progress)
        inventory.sources.setdefault(SOURCE, "read")


def _instance(target: AwsTarget, sso: Any, instance: dict, inventory: Inventory,
              progress: Progress) -> None:
    arn, store = instance["InstanceArn"], instance["IdentityStoreId"]
    directory = _Directory(client("identitystore", target), store)
    iam = client("iam", target)
    permission_sets = pages(sso, "list_permission_sets", "PermissionSets", InstanceArn=arn)
    progress.say(f"Identity Center: {len(permission_sets)} permission sets")
    for ps_arn in permission_sets:
        permission_set = None
        with inventory.reading(SOURCE, f"permission set {ps_arn}"):
            permission_set = _PermissionSet.read(sso, iam, arn, ps_arn)
        for account in permission_set.accounts if permission_set else []:
            name = permission_set.name
            with inventory.reading(SOURCE, f"permission set {name} in account {account}"):
                reached = policy_summary.summarize(permission_set.documents_in(iam, account))
                assignments = pages(sso, "list_account_assignments", "AccountAssignments",
                                    InstanceArn=arn, AccountId=account, PermissionSetArn=ps_arn)
                for assignment in assignments:
                    for user, through in directory.users(assignment):
                        via = f"permission set {name} in account {account}{through}"
                        inventory.add_reach(Access(f"sso:user/{user}", "sso-user",
                                                   f"aws:account/{account}", "none", [via]),
                                            reached)


@dataclass(frozen=True)
class _PermissionSet:
    """A permission set's name, policies and the accounts it is provisioned to."""

    name: str
    documents: list[dict]
    references: list[dict]  # customer-managed policies, by name in each account
    accounts: list[str]

    @classmethod
    def read(cls, sso: Any, iam: Any, instance: str, arn: str) -> _PermissionSet:
        key = {"InstanceArn": instance, "PermissionSetArn": arn}
        return cls(
            name=sso.describe_permission_set(**key)["PermissionSet"]["Name"],
            documents=_documents(sso, iam, key),
            references=pages(sso, "list_customer_managed_policy_references_in_permission_set",
                             "CustomerManagedPolicyReferences", **key),
            accounts=pages(sso, "list_accounts_for_provisioned_permission_set", "AccountIds",
                           **key))

    def documents_in(self, iam: Any, account: str) -> list[dict]:
        """Its policies in `account`: customer-managed references resolve there."""
        return self.documents + [
            policy_document(iam, f"arn:aws:iam::{account}:policy{ref.get('Path') or '/'}"
                                 f"{ref['Name']}") for ref in self.references]


def _documents(sso: Any, iam: Any, key: dict[str, str]) -> list[dict]:
    """The permission set's AWS-managed policies (read from IAM) and its inline policy."""
    documents = []
    for policy in pages(sso, "list_managed_policies_in_permission_set",
                        "AttachedManagedPolicies", **key):
        documents.append(policy_document(iam, policy["Arn"]))
    inline = sso.get_inline_policy_for_permission_set(**key).get("InlinePolicy")
    if inline:
        documents.append(policy_summary.parse_document(inline))
    return documents


class _Directory:
    """User and group names from the identity store, each looked up once."""

    def __init__(self, store_client: Any, store_id: str) -> None:
        self._client, self._store = store_client, store_id
        self._names: dict[str, str] = {}

    def users(self, assignment: dict) -> list[tuple[str, str]]:
        """(user name, ' through group G' or '') for a USER or GROUP assignment."""
        if assignment["PrincipalType"] == "USER":
            return [(self._user(assignment["PrincipalId"]), "")]
        group_id = assignment["PrincipalId"]
        group = self._client.describe_group(IdentityStoreId=self._store, GroupId=group_id)
        members = pages(self._client, "list_group_memberships", "GroupMemberships",
                        IdentityStoreId=self._store, GroupId=group_id)
        return [(self._user(m["MemberId"]["UserId"]), f" through group {group['DisplayName']}")
                for m in members]

    def _user(self, user_id: str) -> str:
        if user_id not in self._names:
            user = self._client.describe_user(IdentityStoreId=self._store, UserId=user_id)
            self._names[user_id] = user["UserName"]
        return self._names[user_id]
