"""STAFF-ACCESS: the root user has MFA and no access keys."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check

ROOT = "<root_account>"


@live_check(
    id="AUD_AWS_17", area="aws",
    name="The root user has MFA and no active access key",
    risk="The all-powerful root user signs in with a password alone or a long-lived key.",
    remediation="Enable MFA on the root user and delete its access keys.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    summary = aws.iam.account_summary()
    out.facts["AccountMFAEnabled"] = summary.get("AccountMFAEnabled")
    if summary.get("AccountMFAEnabled") != 1:
        out.fail("root", "root user has no MFA")
    root = next((r for r in aws.iam.credential_report() if r.get("user") == ROOT), {})
    keys = [k for k in ("access_key_1_active", "access_key_2_active")
            if str(root.get(k)).lower() == "true"]
    if keys:
        out.fail("root", f"root user has active access keys ({', '.join(keys)})")
