"""No IAM users, passwords or access keys; staff come in through SSO roles."""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck

METADATA = Metadata(
    severity="CRITICAL",
    risk="IAM users are long-lived, often shared, identities outside SSO and its MFA.",
    remediation=(
        "Remove the IAM user, login profile, access key or user policy; give people access "
        "through IAM Identity Center (SSO) and MFA-conditioned roles."
    ),
)

IAM_USER_RESOURCES = (
    "aws_iam_user",
    "aws_iam_user_login_profile",
    "aws_iam_access_key",
    "aws_iam_user_policy",
    "aws_iam_user_policy_attachment",
    "aws_iam_user_group_membership",
    "aws_iam_user_ssh_key",
    "aws_iam_service_specific_credential",
    "aws_iam_signing_certificate",
    "aws_iam_virtual_mfa_device",
    "aws_iam_group_membership",
)


class NoIamUsers(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_18",
            name="Ensure no IAM users, login profiles or access keys are declared",
            category=CheckCategories.IAM,
            resources=IAM_USER_RESOURCES,
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        return [f"{self.entity_type} declares an IAM user identity or credential"]


check = NoIamUsers()
