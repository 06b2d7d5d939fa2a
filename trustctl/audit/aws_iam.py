"""The account's IAM facts the audit judges: roles and their trust policies, every policy
document the role rules decide grants from, the credential report and the account summary.

Roles, users, groups and customer-managed policies come from one paged pass of
GetAccountAuthorizationDetails (asking once per kind read the same API four times). Each fact
is read once per run, through the AWS reader's calls (its retries, errors and memo).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import unquote

from trustctl.audit.aws_estate import policies_of
from trustctl.audit.memo import Memo
from trustctl.roles.estate import Policy

DETAILS = {"Role": "RoleDetailList", "User": "UserDetailList", "Group": "GroupDetailList",
           "LocalManagedPolicy": "Policies"}  # filter -> the list each page holds
REPORT_WAIT_SECONDS = 30


class Calls(Protocol):
    """What IAM facts are read through: one call, or every page's items under some keys."""

    def call(self, service: str, api: str, what: str, region: str | None = None,
             **kwargs: Any) -> dict | None: ...

    def paged(self, service: str, api: str, keys: tuple[str, ...], what: str,
              **kwargs: Any) -> dict[str, list[Any]]: ...


class IamFacts:
    """The IAM facts of one account, each read once; every method may raise CouldNotRead."""

    def __init__(self, calls: Calls, memo: Memo) -> None:
        self._calls = calls
        self._memo = memo

    def _once(self, key: str, read: Callable[[], Any]) -> Any:
        return self._memo.get(("iam", key), read)

    def _details(self) -> dict[str, list[dict]]:
        return self._once("details", lambda: self._calls.paged(
            "iam", "get_account_authorization_details", tuple(DETAILS.values()), "the account",
            Filter=list(DETAILS)))

    def roles(self) -> list[dict]:
        """Every role with its trust policy (decoded) and tags."""
        def read() -> list[dict]:
            roles = self._details()[DETAILS["Role"]]
            for role in roles:
                policy = role.get("AssumeRolePolicyDocument")
                if isinstance(policy, str):
                    role["AssumeRolePolicyDocument"] = json.loads(unquote(policy))
            return roles
        return self._once("roles", read)

    def policies(self) -> list[Policy]:
        """Every inline policy of the account's roles, users and groups, and every
        customer-managed policy's default version: what the role rules read grants from."""
        def read() -> list[Policy]:
            details = self._details()
            principals = [(f"role {r['RoleName']}", r.get("RolePolicyList") or [])
                          for r in self.roles()]
            principals += [(f"user {u['UserName']}", u.get("UserPolicyList") or [])
                           for u in details[DETAILS["User"]]]
            principals += [(f"group {g['GroupName']}", g.get("GroupPolicyList") or [])
                           for g in details[DETAILS["Group"]]]
            return policies_of(principals, details[DETAILS["LocalManagedPolicy"]])
        return self._once("policies", read)

    def credential_report(self) -> list[dict[str, str]]:
        """The IAM credential report's rows (root is the row `<root_account>`)."""
        def read() -> list[dict[str, str]]:
            for _ in range(REPORT_WAIT_SECONDS):
                state = self._calls.call("iam", "generate_credential_report",
                                         "the account")["State"]
                if state == "COMPLETE":
                    break
                time.sleep(1)
            content = self._calls.call("iam", "get_credential_report", "the account")["Content"]
            text = content.decode() if isinstance(content, bytes) else content
            return list(csv.DictReader(io.StringIO(text)))
        return self._once("credential-report", read)

    def account_summary(self) -> dict[str, int]:
        return self._once("summary", lambda: self._calls.call(
            "iam", "get_account_summary", "the account")["SummaryMap"])
