"""STAFF-ACCESS: the on-call role is assumable only by the named principals, only with MFA."""

from typing import Any

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check

STAFF = "staff"  # tag trustctl:access=staff marks roles people assume (infra/components/access.py)
MFA_KEYS = ("aws:multifactorauthpresent", "aws:multifactorauthage")


@live_check(
    id="AUD_AWS_18", area="aws",
    name="On-call roles trust only the named principals, and only with MFA",
    risk="Someone outside the on-call rotation, or without MFA, reaches production.",
    remediation="Let the trust policy of each role tagged trustctl:access=staff name only the "
                "on-call principals (stack config onCallPrincipalArns) with Condition "
                'Bool aws:MultiFactorAuthPresent "true".',
)
def check(aws: AwsReader, out: Outcome) -> None:
    named = set(aws.settings.on_call_principals)
    roles = [r for r in aws.iam.roles()
             if any(t.get("Key") == "trustctl:access" and t.get("Value") == STAFF
                    for t in r.get("Tags", []))]
    out.facts.update(named_principals=sorted(named), staff_roles=[r["Arn"] for r in roles])
    if not roles:
        out.fail(None, "no role is tagged trustctl:access=staff (the on-call role)")
    for role in roles:
        for problem in _trust_problems(role.get("AssumeRolePolicyDocument") or {}, named):
            out.fail(role["Arn"], problem)


def _trust_problems(policy: dict[str, Any], named: set[str]) -> list[str]:
    statements = policy.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    problems = []
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        aws_principals = principal.get("AWS", []) if isinstance(principal, dict) else [principal]
        aws_principals = aws_principals if isinstance(aws_principals, list) else [aws_principals]
        others = [p for p in aws_principals if p not in named]
        if others or (isinstance(principal, dict) and set(principal) - {"AWS"}):
            problems.append(f"trusts principals outside the on-call list: "
                            f"{', '.join(map(str, others)) or ', '.join(sorted(principal))}")
        if not _requires_mfa(statement.get("Condition", {})):
            problems.append("assumable without MFA")
    return problems


def _requires_mfa(condition: dict[str, Any]) -> bool:
    """Bool aws:MultiFactorAuthPresent "true", or a NumericLessThan on aws:MultiFactorAuthAge
    (BoolIfExists does not count: a request without the key passes it)."""
    for operator, tests in condition.items():
        for key, value in tests.items():
            values = [str(v).lower() for v in (value if isinstance(value, list) else [value])]
            if key.lower() == MFA_KEYS[0] and operator == "Bool" and values == ["true"]:
                return True
            if key.lower() == MFA_KEYS[1] and operator.startswith("NumericLessThan"):
                return True
    return False
