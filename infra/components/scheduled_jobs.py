"""Who runs production's scheduled jobs: GitHub Actions, through OIDC, one narrow role per job."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from policy_documents import Statement, allow, document
from stack_config import StackConfig

from trustctl.access_review.permissions import PRINCIPAL_READ_ACTIONS
from trustctl.records.signing import KMS_ALGORITHM

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
# GitHub puts the environment, not the branch, in the subject of a job that names one; the
# environment's deployment rule (main only) is what ties the subject to the main branch.
PRODUCTION_ENVIRONMENT = "production"
JOBS = ("backup", "drill", "audit", "evidence")
JOB_TAG = "trustctl:job"
ACCESS_TAG = "trustctl:access"
SESSION_SECONDS = {"backup": 3600, "drill": 4 * 3600 + 1800, "audit": 3600, "evidence": 3600}
# Where each job finds what it reads: the key layout `trustctl backup` writes (prefix/id/...).
MANIFEST_OBJECTS = "*/manifest.json"
RECORDS_PREFIX = "records"
REPORTS_PREFIX = "reports"

# Everything a live audit (`trustctl audit`) reads: configuration and metadata only. No Put,
# Create, Delete or Update; no object, secret or log content. iam:GenerateCredentialReport only
# asks IAM to compute the credential report that iam:GetCredentialReport then reads.
AUDIT_READ_ACTIONS = [
    # KMS
    "kms:ListKeys", "kms:ListAliases", "kms:DescribeKey", "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus", "kms:ListResourceTags",
    # S3 (bucket configuration, never objects)
    "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketTagging",
    "s3:GetEncryptionConfiguration", "s3:GetBucketPublicAccessBlock",
    "s3:GetAccountPublicAccessBlock", "s3:GetBucketPolicy", "s3:GetBucketPolicyStatus",
    "s3:GetBucketAcl", "s3:GetBucketOwnershipControls", "s3:GetBucketVersioning",
    "s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration",
    "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration",
    # AWS Backup
    "backup:ListBackupVaults", "backup:DescribeBackupVault", "backup:GetBackupVaultAccessPolicy",
    "backup:ListBackupPlans", "backup:GetBackupPlan", "backup:ListBackupSelections",
    "backup:GetBackupSelection", "backup:ListRecoveryPointsByBackupVault",
    "backup:DescribeRecoveryPoint", "backup:ListProtectedResources",
    "backup:ListRestoreTestingPlans", "backup:GetRestoreTestingPlan",
    "backup:ListRestoreTestingSelections", "backup:ListFrameworks", "backup:DescribeFramework",
    # CloudTrail
    "cloudtrail:DescribeTrails", "cloudtrail:GetTrail", "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors", "cloudtrail:ListTrails",
    # IAM
    "iam:GenerateCredentialReport", "iam:GetCredentialReport",
    "iam:GetAccountAuthorizationDetails", "iam:GetAccountSummary",
    "iam:GetAccountPasswordPolicy", "iam:ListUsers", "iam:ListRoles", "iam:GetRole",
    "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
    "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListMFADevices", "iam:ListVirtualMFADevices",
    "iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListOpenIDConnectProviders",
    # network and every database engine a change could add
    "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups", "ec2:DescribeVpcEndpoints", "ec2:DescribeFlowLogs",
    "ec2:DescribeInternetGateways", "ec2:DescribeNatGateways", "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstances",
    "rds:DescribeDBInstances", "rds:DescribeDBClusters", "rds:DescribeDBSubnetGroups",
    "redshift:DescribeClusters", "redshift-serverless:ListWorkgroups",
    "elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters",
    "elasticache:DescribeServerlessCaches", "memorydb:DescribeClusters",
    "es:ListDomainNames", "es:DescribeDomains", "dynamodb:ListTables",
    # several accounts
    "organizations:DescribeOrganization", "organizations:ListAccounts",
]
# who holds production access (the ACCESS-REVIEW check): IAM and Identity Center, read only
AUDIT_READ_ACTIONS += [a for a in PRINCIPAL_READ_ACTIONS if a not in AUDIT_READ_ACTIONS]


@dataclass(frozen=True)
class JobTargets:
    """What the jobs act on; ARNs of resources other components declare."""

    backup_bucket_arn: pulumi.Input[str]
    backup_key_arn: pulumi.Input[str]
    evidence_bucket_arn: pulumi.Input[str]
    replica_bucket_arn: pulumi.Input[str]  # the backups' copy in the recovery region
    replica_key_arn: pulumi.Input[str]  # the backup key's replica there
    evidence_signing_key_arn: pulumi.Input[str]  # signs every record a job writes


def github_subject(repository: str) -> str:
    """The OIDC subject of a job of `repository` that runs in the production environment."""
    return f"repo:{repository}:environment:{PRODUCTION_ENVIRONMENT}"


def github_provider_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:oidc-provider/{GITHUB_OIDC_HOST}"


class ScheduledJobs(pulumi.ComponentResource):
    """The scheduled backup, drill, audit and evidence build, each in a least-privilege role.

    Implements STAFF-ACCESS for software: no long-lived keys; each role trusts only GitHub's
    OIDC provider, audience sts.amazonaws.com, subject `repo:<this repository>:environment:
    production` (no wildcard, no other repository or branch). CHANGE-CONTROL: production is
    reached only by reviewed code on main, through the protected environment. Supports
    BACKUP-DAILY-35D (the backup role writes backups and cannot delete them) and RESTORE-DRILL
    (the drill role reads and decrypts backups, nothing else); the audit role is read-only.

    Roles are declared first (key policies name them); `grant` adds each job's one managed
    policy (tagged trustctl:job, as the gate's checks read it) once the buckets exist.
    """

    def __init__(self, name: str, config: StackConfig,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("trustctl:jobs:ScheduledJobs", name, None, opts)
        self._name, self._config = name, config
        child = pulumi.ResourceOptions(parent=self)
        self.github = aws.iam.OpenIdConnectProvider(
            f"{name}-github",
            url=f"https://{GITHUB_OIDC_HOST}",
            client_id_lists=[STS_AUDIENCE],
            tags={ACCESS_TAG: "workload"},
            opts=child,
        )
        # The provider's ARN is known before it exists: writing it out keeps the trust policy
        # a plain document in the plan (the gate's checks read it), depends_on keeps the order.
        trust = _github_trust(github_provider_arn(config.aws_account_id),
                              config.github_repository)
        self.roles = {
            job: aws.iam.Role(
                f"{name}-{job}",
                name=f"{config.name_prefix}-{job}",
                description=f"The scheduled `trustctl {job}` job (GitHub Actions, production).",
                assume_role_policy=trust,
                max_session_duration=SESSION_SECONDS[job],
                tags={ACCESS_TAG: "workload", JOB_TAG: job},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.github]),
            )
            for job in JOBS
        }
        self.register_outputs({f"{job}RoleArn": role.arn for job, role in self.roles.items()})

    def grant(self, targets: JobTargets) -> None:
        """Each job's permissions: one managed policy, attached to its role only."""
        documents = {
            "backup": _backup_permissions(targets),
            "drill": _drill_permissions(targets),
            "audit": _audit_permissions(targets),
            "evidence": _evidence_permissions(targets),
        }
        for job, statements in documents.items():
            statements = [*statements, _record_signing(targets)]
            policy = aws.iam.Policy(
                f"{self._name}-{job}",
                name=f"{self._config.name_prefix}-{job}-job",
                description=f"What the scheduled {job} job may do, and nothing more.",
                policy=document(*statements),
                tags={JOB_TAG: job},
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.iam.RolePolicyAttachment(
                f"{self._name}-{job}",
                role=self.roles[job].name,
                policy_arn=policy.arn,
                opts=pulumi.ResourceOptions(parent=self),
            )


def _github_trust(provider_arn: str, repository: str) -> pulumi.Output[str]:
    return document({
        "Sid": "GitHubProductionEnvironmentOnly",
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
            f"{GITHUB_OIDC_HOST}:sub": github_subject(repository),
        }},
    })


def _objects(bucket_arn: pulumi.Input[str], pattern: str = "*") -> pulumi.Output[str]:
    return pulumi.Output.concat(bucket_arn, "/", pattern)


def _via_s3(bucket_arn: pulumi.Input[str]) -> dict:
    """S3 (with Bucket Keys) uses a KMS key for a bucket under the context aws:s3:arn=bucket."""
    return {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"},
            "StringEquals": {"kms:EncryptionContext:aws:s3:arn": bucket_arn}}


def _record_signing(t: JobTargets) -> Statement:
    """Every job signs the records it writes with the evidence key (TRUSTCTL_EVIDENCE_SIGNING_KEY
    in the workflows): a record signed by a runner's throwaway key is not evidence."""
    return allow("SignRecordsWithEvidenceKey", ["kms:Sign", "kms:GetPublicKey"],
                 t.evidence_signing_key_arn,
                 Condition={"StringEquals": {"kms:SigningAlgorithm": KMS_ALGORITHM}})


def _backup_permissions(t: JobTargets) -> list[Statement]:
    """Add backups (multipart, retention set at upload) and wrap their data keys; no reading,
    no deleting: a stolen backup session can neither read nor destroy a backup."""
    return [
        allow("WriteBackupObjects",
              ["s3:PutObject", "s3:PutObjectRetention", "s3:AbortMultipartUpload"],
              _objects(t.backup_bucket_arn)),
        allow("SeeBackupBucket", ["s3:ListBucket", "s3:GetBucketObjectLockConfiguration"],
              t.backup_bucket_arn),
        allow("WrapDataKeysWithBackupKey", ["kms:GenerateDataKey", "kms:DescribeKey"],
              t.backup_key_arn),
        allow("S3EncryptsUploadsWithBackupKey", ["kms:GenerateDataKey", "kms:Decrypt"],
              t.backup_key_arn, Condition=_via_s3(t.backup_bucket_arn)),
    ]


def _drill_permissions(t: JobTargets) -> list[Statement]:
    """Read and decrypt backups to restore them into the runner's scratch database, from either
    region (`drill --region-outage` reads only the recovery region's copy, with the replica key),
    and see their Object Lock (S3 shows it only with s3:GetObjectRetention)."""
    buckets = [t.backup_bucket_arn, t.replica_bucket_arn]
    return [
        allow("ReadBackupObjects",
              ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectRetention"],
              [_objects(bucket) for bucket in buckets]),
        allow("ListBackups", ["s3:ListBucket"], buckets),
        allow("UnwrapDataKeysWithBackupKey", ["kms:Decrypt", "kms:DescribeKey"],
              [t.backup_key_arn, t.replica_key_arn]),
    ]


def _audit_permissions(t: JobTargets) -> list[Statement]:
    """Configuration everywhere; of object data only backup manifests and evidence records."""
    return [
        allow("ReadConfiguration", AUDIT_READ_ACTIONS),
        allow("ReadBackupManifests", ["s3:GetObject"],
              [_objects(t.backup_bucket_arn, MANIFEST_OBJECTS),
               _objects(t.replica_bucket_arn, MANIFEST_OBJECTS)]),
        # every version of every record: an overwritten or deleted record is named as such
        allow("ReadEvidenceRecords", ["s3:GetObject", "s3:GetObjectVersion"],
              _objects(t.evidence_bucket_arn, f"{RECORDS_PREFIX}/*")),
        allow("ListBackupsAndRecords", ["s3:ListBucket"],
              [t.backup_bucket_arn, t.replica_bucket_arn, t.evidence_bucket_arn]),
        allow("ListRecordVersions", ["s3:ListBucketVersions"], t.evidence_bucket_arn),
        allow("S3DecryptsManifests", ["kms:Decrypt"], t.backup_key_arn,
              Condition=_via_s3(t.backup_bucket_arn)),
        allow("S3DecryptsReplicaManifests", ["kms:Decrypt"], t.replica_key_arn,
              Condition=_via_s3(t.replica_bucket_arn)),
        allow("S3DecryptsRecords", ["kms:Decrypt"], "*",
              Condition=_via_s3(t.evidence_bucket_arn)),
    ]


def _evidence_permissions(t: JobTargets) -> list[Statement]:
    """Deliver every job's record and build the report: add objects to the evidence bucket
    (Object Lock keeps them), read them back; never delete."""
    return [
        allow("AddRecordsAndReports", ["s3:PutObject"],
              [_objects(t.evidence_bucket_arn, f"{RECORDS_PREFIX}/*"),
               _objects(t.evidence_bucket_arn, f"{REPORTS_PREFIX}/*")]),
        # every version of every record: an overwritten or deleted record is named as such
        allow("ReadRecords", ["s3:GetObject", "s3:GetObjectVersion"],
              _objects(t.evidence_bucket_arn, f"{RECORDS_PREFIX}/*")),
        allow("ListEvidence", ["s3:ListBucket", "s3:ListBucketVersions"],
              t.evidence_bucket_arn),
        allow("S3EncryptsEvidence", ["kms:GenerateDataKey", "kms:Decrypt"], "*",
              Condition=_via_s3(t.evidence_bucket_arn)),
    ]

