"""The AWS actions that read who holds production access (IAM, Identity Center): what
`access-review prepare` and the audit's ACCESS-REVIEW check call, all read-only. The audit job's
role (infra/components/scheduled_jobs.py) grants them; prepare also reads CloudTrail's log
files, which the audit does not."""

PRINCIPAL_READ_ACTIONS = (
    "sts:GetCallerIdentity",
    "iam:ListUsers", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:ListGroupsForUser",
    "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:GetUserPolicy",
    "iam:ListAttachedGroupPolicies", "iam:ListGroupPolicies", "iam:GetGroupPolicy",
    "iam:ListRoles", "iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
    "iam:GetRolePolicy", "iam:GetPolicy", "iam:GetPolicyVersion",
    "sso:ListInstances", "sso:ListPermissionSets", "sso:DescribePermissionSet",
    "sso:ListAccountAssignments", "sso:ListAccountsForProvisionedPermissionSet",
    "sso:ListManagedPoliciesInPermissionSet",
    "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
    "sso:GetInlinePolicyForPermissionSet",
    "identitystore:DescribeUser", "identitystore:DescribeGroup",
    "identitystore:ListGroupMemberships",
)
