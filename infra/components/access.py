"""Who may act on production: named, MFA-backed staff; narrowly scoped workload roles."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from policy_documents import document, service_trust
from stack_config import StackConfig

# Read-only view of configuration, without object data: reading customer data needs more.
ON_CALL_POLICY_ARN = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
# What AWS Backup needs to back up and restore S3 (the file storage) and other services.
AWS_BACKUP_POLICY_ARNS = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
)
MFA_MAX_AGE_SECONDS = 3600
# Who assumes a role: people (MFA required), software (named IAM roles only), or an AWS service.
ACCESS_TAG = "trustctl:access"


class StaffAccess(pulumi.ComponentResource):
    """Production access is named and MFA-backed; no IAM users, no shared accounts.

    Implements STAFF-ACCESS: the on-call role trusts only the principals named in stack config
    and only with MFA; sessions are short. Also declares the workload roles other
    capabilities grant to (the AWS Backup service role; the scheduled jobs' roles are
    ScheduledJobs') and a strict account
    password policy for any console password that still exists (root, break-glass).
    The program declares no aws.iam.User anywhere.
    """

    def __init__(self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("trustctl:access:StaffAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        prefix = config.name_prefix

        self.on_call_role = aws.iam.Role(
            f"{name}-on-call",
            name=f"{prefix}-on-call",
            description="Production on-call: named engineers only, MFA required.",
            assume_role_policy=_named_mfa_trust(config.on_call_principal_arns),
            max_session_duration=config.on_call_max_session_seconds,
            tags={ACCESS_TAG: "staff"},
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-on-call-view-only",
            role=self.on_call_role.name,
            policy_arn=ON_CALL_POLICY_ARN,
            opts=child,
        )

        self.aws_backup_role = aws.iam.Role(
            f"{name}-aws-backup",
            name=f"{prefix}-aws-backup",
            description="Used by AWS Backup to back up, restore and restore-test file storage.",
            assume_role_policy=service_trust("backup.amazonaws.com"),
            tags={ACCESS_TAG: "service"},
            opts=child,
        )
        for index, policy_arn in enumerate(AWS_BACKUP_POLICY_ARNS):
            aws.iam.RolePolicyAttachment(
                f"{name}-aws-backup-{index}",
                role=self.aws_backup_role.name,
                policy_arn=policy_arn,
                opts=child,
            )

        self.password_policy = aws.iam.AccountPasswordPolicy(
            f"{name}-password-policy",
            minimum_password_length=16,
            require_lowercase_characters=True,
            require_uppercase_characters=True,
            require_numbers=True,
            require_symbols=True,
            allow_users_to_change_password=True,
            password_reuse_prevention=24,
            max_password_age=90,
            opts=child,
        )
        self.register_outputs({
            "onCallRoleArn": self.on_call_role.arn,
        })


def _named_mfa_trust(principals: tuple[str, ...]) -> pulumi.Output[str]:
    """Trust exactly the named principals, and only with a recent MFA sign-in."""
    return document({
        "Sid": "NamedOnCallWithMfa",
        "Effect": "Allow",
        "Principal": {"AWS": list(principals)},
        "Action": "sts:AssumeRole",
        "Condition": {
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "NumericLessThan": {"aws:MultiFactorAuthAge": str(MFA_MAX_AGE_SECONDS)},
        },
    })
