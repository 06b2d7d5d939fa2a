"""A role GitHub Actions may assume trusts one repository's protected environment
(or its main branch), for STS, and nothing wider.

GitHub's OIDC tokens name the repository, and the environment or ref, in their subject. A
trust policy without a subject condition lets every repository on GitHub in; a wildcard lets
every branch, pull request or fork workflow of the repository in.
"""

import re
from typing import Any

from checkov.common.models.enums import CheckCategories
from iam_policy_support import GITHUB_OIDC_HOST, as_list, parse, statements
from trust_check_support import Metadata, TrustCheck

METADATA = Metadata(
    severity="CRITICAL",
    risk="Any repository, branch or pull request on GitHub can assume the role and act on "
    "production without review.",
    remediation=(
        "Condition the trust statement with StringEquals "
        f"{GITHUB_OIDC_HOST}:aud = sts.amazonaws.com and "
        f"{GITHUB_OIDC_HOST}:sub = repo:ORG/REPO:environment:production (a protected "
        "environment) or repo:ORG/REPO:ref:refs/heads/main; no wildcards, one repository."
    ),
)

AUDIENCE = "sts.amazonaws.com"
SUBJECT = re.compile(
    r"^repo:(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)"
    r":(environment:[A-Za-z0-9_.-]+|ref:refs/heads/main)$"
)
# Operators that narrow a claim to the listed values (negations narrow nothing).
NARROWING = re.compile(r"^(ForAnyValue:|ForAllValues:)?String(Equals|Like)(IgnoreCase)?$", re.I)


class GitHubOidcTrustPinned(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_33",
            name="Ensure roles trusted by GitHub OIDC admit one repository's production "
            "environment or main branch, and no wildcard subject",
            category=CheckCategories.IAM,
            resources=["aws_iam_role"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        policy = parse(conf.get("assume_role_policy"))
        trusting = [s for s in statements(policy or {}) if _admits_github(s)]
        if not trusting:
            return None
        found = []
        for index, statement in enumerate(trusting):
            sid = statement.get("Sid") or str(index)
            found += [f"statement {sid} {why}" for why in _statement_problems(statement)]
        return found


def _admits_github(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    federated = principal.get("Federated") if isinstance(principal, dict) else None
    return statement.get("Effect") == "Allow" and any(
        str(p).endswith(GITHUB_OIDC_HOST) for p in as_list(federated))


def _claim(statement: dict[str, Any], claim: str) -> list[str] | None:
    """Values a narrowing condition allows for `claim`, or None when nothing narrows it."""
    values: list[str] | None = None
    for operator, tests in (statement.get("Condition") or {}).items():
        if not NARROWING.match(operator) or not isinstance(tests, dict):
            continue
        for key, allowed in tests.items():
            if key.lower() == f"{GITHUB_OIDC_HOST}:{claim}":
                values = (values or []) + [str(v) for v in as_list(allowed)]
    return values


def _statement_problems(statement: dict[str, Any]) -> list[str]:
    found = []
    audiences = _claim(statement, "aud")
    if audiences != [AUDIENCE]:
        found.append(f"does not pin the audience to {AUDIENCE} (got {audiences})")
    subjects = _claim(statement, "sub")
    if not subjects:
        return [*found, "has no subject condition: any repository on GitHub may assume it"]
    for subject in subjects:
        if "*" in subject or "?" in subject:
            found.append(f"admits the wildcard subject {subject!r}")
        elif not SUBJECT.match(subject):
            found.append(f"admits {subject!r}: not a protected environment or the main branch")
    repositories = {m["repo"].lower() for s in subjects if (m := SUBJECT.match(s))}
    if len(repositories) > 1:
        found.append(f"admits several repositories: {sorted(repositories)}")
    return found


check = GitHubOidcTrustPinned()
