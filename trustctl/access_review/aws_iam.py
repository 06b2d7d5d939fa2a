"""AWS IAM: users (there should be none) and roles, with who may assume each role and what data
its policies reach (S3 buckets, KMS keys, backup vaults), and when each was last used.

Service-linked roles (path /aws-service-role/) belong to AWS and are left out. A principal whose
policies reach no data store still appears, as access to the account: it is production access.
"""

from __future__ import annotations

from typing import Any

from trustctl.access_review import policy_summary
from trustctl.access_review.aws_pages import pages
from trustctl.access_review.inventory import Access, Inventory, Trust
from trustctl.access_review.progress import QUIET, Progress
from trustctl.aws import AwsTarget, client

SOURCE = "aws"
SERVICE_LINKED_PATH = "/aws-service-role/"
MFA_KEYS = ("aws:multifactorauthpresent", "aws:multifactorauthage")


def collect(target: AwsTarget, inventory: Inventory, progress: Progress = QUIET) -> None:
    """Adds every IAM user and role of the account at `target`, and their data access."""
    iam = client("iam", target)
    account = "unknown"
    with inventory.reading(SOURCE, "the account id (sts:GetCallerIdentity)"):
        account = client("sts", target).get_caller_identity()["Account"]
    with inventory.reading(SOURCE, "IAM users"):
        users = pages(iam, "list_users", "Users")
        progress.say(f"IAM: {len(users)} users")
        for user in users:
            _user(iam, user, account, inventory)
    with inventory.reading(SOURCE, "IAM roles"):
        roles = [r for r in pages(iam, "list_roles", "Roles")
                 if not r.get("Path", "/").startswith(SERVICE_LINKED_PATH)]
        progress.say(f"IAM: {len(roles)} roles")
        with progress.counting("IAM roles read", len(roles)) as advance:
            for role in roles:
                _role(iam, role, account, inventory)
                advance()
    inventory.sources.setdefault(SOURCE, "read")


def _user(iam: Any, user: dict, account: str, inventory: Inventory) -> None:
    name = user["UserName"]
    principal = f"aws:user/{name}"
    last_used = _iso(user.get("PasswordLastUsed"))
    documents: list[dict] = []
    via: list[str] = []
    with inventory.reading(SOURCE, f"IAM user {name}: access keys"):
        for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
            last_used = max(filter(None, [last_used, _iso(
                used.get("AccessKeyLastUsed", {}).get("LastUsedDate"))]), default=None)
    with inventory.reading(SOURCE, f"IAM user {name}: policies"):
        documents, via = _policies(iam, "user", name)
        for group in iam.list_groups_for_user(UserName=name)["Groups"]:
            group_documents, group_via = _policies(iam, "group", group["GroupName"])
            documents += group_documents
            via += [f"group {group['GroupName']}: {v}" for v in group_via]
    inventory.add_reach(Access(principal, "iam-user", f"aws:account/{account}", "none",
                               sorted(via), last_used=last_used),
                        policy_summary.summarize(documents))


def _role(iam: Any, role: dict, account: str, inventory: Inventory) -> None:
    name = role["RoleName"]
    with inventory.reading(SOURCE, f"IAM role {name}"):
        detail = iam.get_role(RoleName=name)["Role"]
        trust = trust_of(policy_summary.parse_document(detail["AssumeRolePolicyDocument"]))
        last_used = _iso((detail.get("RoleLastUsed") or {}).get("LastUsedDate"))
        documents, via = _policies(iam, "role", name)
        inventory.add_reach(Access(f"aws:role/{name}", "iam-role", f"aws:account/{account}",
                                   "none", sorted(via), trust, last_used),
                            policy_summary.summarize(documents))


def _policies(iam: Any, kind: str, name: str) -> tuple[list[dict], list[str]]:
    """Documents of the attached managed policies (default version) and the inline ones."""
    Kind = kind.capitalize()
    key = {f"{Kind}Name": name}
    documents, via = [], []
    for attached in pages(iam, f"list_attached_{kind}_policies", "AttachedPolicies", **key):
        documents.append(policy_document(iam, attached["PolicyArn"]))
        via.append(f"policy {attached['PolicyName']}")
    for policy_name in pages(iam, f"list_{kind}_policies", "PolicyNames", **key):
        inline = getattr(iam, f"get_{kind}_policy")(**key, PolicyName=policy_name)
        documents.append(policy_summary.parse_document(inline["PolicyDocument"]))
        via.append(f"inline {policy_name}")
    return documents, via


def policy_document(iam: Any, arn: str) -> dict:
    """The default version of a managed policy."""
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    return policy_summary.parse_document(version["PolicyVersion"]["Document"])


def trust_of(document: dict) -> list[Trust]:
    """Who may assume the role, with whether MFA or an external id is required."""
    trusts = []
    for statement in policy_summary.as_list(document.get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        conditions = {key.lower() for block in (statement.get("Condition") or {}).values()
                      for key in block}
        mfa = any(key in conditions for key in MFA_KEYS)
        external_id = "sts:externalid" in conditions
        principal = statement.get("Principal")
        entries = ([("AWS", "*")] if principal == "*" else
                   [(kind, value) for kind, values in (principal or {}).items()
                    for value in policy_summary.as_list(values)])
        trusts += [Trust(value, kind, mfa, external_id) for kind, value in entries]
    return sorted(set(trusts), key=lambda t: (t.type, t.principal))


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None
