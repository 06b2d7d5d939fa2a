"""STAFF-ACCESS: no IAM user can sign in with a password or an access key (SSO only)."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check

ROOT = "<root_account>"


@live_check(
    id="AUD_AWS_16", area="aws",
    name="No IAM user has a console password or an active access key",
    risk="A shared or password-only account reaches production outside SSO and MFA.",
    remediation="Delete IAM users' login profiles and access keys; staff use SSO and the "
                "MFA-conditioned on-call role.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    rows = aws.iam.credential_report()
    users = [r for r in rows if r.get("user") != ROOT]
    out.facts["users"] = len(users)
    for row in users:
        ways = [w for w, on in (("console password", row.get("password_enabled")),
                                ("access key 1", row.get("access_key_1_active")),
                                ("access key 2", row.get("access_key_2_active")))
                if str(on).lower() == "true"]
        if ways:
            out.fail(row.get("arn") or row.get("user"), f"IAM user can sign in: {', '.join(ways)}")
