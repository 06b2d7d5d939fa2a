"""A role that people (AWS principals) can assume demands MFA to assume it.

A workload role, which software assumes, cannot present MFA. It is exempt only when declared
as such (tag trustctl:access=workload) and trusting nothing but named IAM roles: never an
account root, an IAM user or `*`, through which a person could reach it without MFA.
"""

import re
from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, tag, unwrap

METADATA = Metadata(
    severity="CRITICAL",
    risk="Stolen credentials of a named principal reach production without a second factor.",
    remediation=(
        'Add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to every '
        "Allow statement of the role's assume_role_policy whose Principal is AWS or *; "
        "a role assumed by software instead carries tag trustctl:access=workload and trusts "
        "only named IAM role ARNs."
    ),
)

MFA_KEY = "aws:multifactorauthpresent"
ACCESS_TAG = "trustctl:access"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+")


class RoleAssumptionRequiresMfa(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_19",
            name="Ensure IAM roles assumable by AWS principals require MFA",
            category=CheckCategories.IAM,
            resources=["aws_iam_role"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        policy = unwrap(conf.get("assume_role_policy"))
        if not isinstance(policy, dict):
            return ["assume_role_policy is not a JSON policy document"]
        workload = tag(conf, ACCESS_TAG) == "workload"
        return [
            f"statement {statement.get('Sid') or index} admits AWS principals without MFA"
            for index, statement in enumerate(_as_list(policy.get("Statement")))
            if _admits_aws_principals(statement)
            and not _requires_mfa(statement)
            and not (workload and _trusts_only_roles(statement))
        ]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _admits_aws_principals(statement: Any) -> bool:
    if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
        return False
    principal = statement.get("Principal")
    return principal == "*" or (isinstance(principal, dict) and "AWS" in principal)


def _trusts_only_roles(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    arns = _as_list(principal.get("AWS")) if isinstance(principal, dict) else ["*"]
    return all(isinstance(arn, str) and ROLE_ARN.match(arn) for arn in arns)


def _requires_mfa(statement: dict[str, Any]) -> bool:
    """Only `Bool` counts: `BoolIfExists` lets long-term keys, which carry no MFA key, through."""
    bool_conditions = (statement.get("Condition") or {}).get("Bool") or {}
    return any(
        key.lower() == MFA_KEY and all(str(v).lower() == "true" for v in _as_list(value))
        for key, value in bool_conditions.items()
    )


check = RoleAssumptionRequiresMfa()
