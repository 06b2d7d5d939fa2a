"""STAFF-ACCESS for software: the scheduled jobs reach AWS only through GitHub's OIDC provider,
only from this repository's production environment, each into a role that can do one job."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest
import yaml
from infra_queries import arn_of, one, policy, statements

from trustctl.gate.sources import Declared
from trustctl.gate.translate import translate
from trustctl.plan import Plan

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
JOBS = ("backup", "drill", "audit", "evidence")
OIDC = "token.actions.githubusercontent.com"


def _repository(repo_root) -> str:
    return yaml.safe_load((repo_root / "Pulumi.prod.yaml").read_text())["config"][
        "trustctl:githubRepository"]


def _grants(plan: Plan, job: str) -> dict[str, dict]:
    return statements(policy(one(plan, POLICY, f"jobs-{job}")))


def _allowed(plan: Plan, job: str) -> set[tuple[str, str]]:
    """(action, resource) pairs the job's policy allows, conditions aside."""
    pairs = set()
    for statement in _grants(plan, job).values():
        assert statement["Effect"] == "Allow"
        resources = statement["Resource"]
        for action in statement["Action"]:
            for resource in [resources] if isinstance(resources, str) else resources:
                pairs.add((action, resource))
    return pairs


def _bucket(plan: Plan, suffix: str) -> str:
    return arn_of(one(plan, "aws:s3/bucket:Bucket", suffix))


def test_github_oidc_provider_for_sts_only(prod_plan: Plan) -> None:
    provider = one(prod_plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
                   "jobs-github").inputs
    assert provider["url"] == f"https://{OIDC}"
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]


@pytest.mark.parametrize("job", JOBS)
def test_job_role_trusts_only_this_repository_in_production(prod_plan: Plan, repo_root,
                                                            job: str) -> None:
    role = one(prod_plan, ROLE, f"jobs-{job}")
    [trust] = policy(role, "assumeRolePolicy")["Statement"]
    assert trust["Effect"] == "Allow"
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"] == {
        "Federated": f"arn:aws:iam::123456789012:oidc-provider/{OIDC}"}
    assert trust["Condition"] == {"StringEquals": {
        f"{OIDC}:aud": "sts.amazonaws.com",
        f"{OIDC}:sub": f"repo:{_repository(repo_root)}:environment:production",
    }}
    provider = one(prod_plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
                   "jobs-github")
    assert provider.urn in role.dependencies
    assert role.inputs["tags"] == {"trustctl:access": "workload", "trustctl:job": job}
    assert role.inputs["name"] == f"claver-prod-{job}"


def _signs_records(plan: Plan) -> set[tuple[str, str]]:
    key = arn_of(one(plan, "aws:kms/key:Key", "evidence-signing"))
    return {("kms:Sign", key), ("kms:GetPublicKey", key)}


def test_every_job_signs_its_records_with_the_evidence_key_only(prod_plan: Plan) -> None:
    """A record signed by a runner's throwaway key is not evidence: each job may sign with the
    evidence key (ECDSA only) and with no other key."""
    for job in JOBS:
        signing = {(a, r) for a, r in _allowed(prod_plan, job) if a == "kms:Sign"}
        assert signing == {pair for pair in _signs_records(prod_plan) if pair[0] == "kms:Sign"}
        grant = _grants(prod_plan, job)["SignRecordsWithEvidenceKey"]
        assert grant["Condition"] == {"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256"}}


@pytest.mark.parametrize("job", JOBS)
def test_each_role_has_exactly_its_own_policy(prod_plan: Plan, job: str) -> None:
    attached = [a for a in prod_plan.of_type(ATTACHMENT) if a.name == f"jobs-{job}"]
    assert [a.inputs["policyArn"] for a in attached] == [
        arn_of(one(prod_plan, POLICY, f"jobs-{job}"))]
    assert attached[0].inputs["role"] == f"claver-prod-{job}"
    assert one(prod_plan, POLICY, f"jobs-{job}").inputs["tags"] == {"trustctl:job": job}
    role_policies = [p for p in prod_plan.of_type("aws:iam/rolePolicy:RolePolicy")
                     if p.inputs["role"] in (f"jobs-{job}", f"claver-prod-{job}")]
    assert role_policies == []


def test_backup_role_writes_and_wraps_but_never_reads_or_deletes(prod_plan: Plan) -> None:
    bucket = _bucket(prod_plan, "database-backups")
    key = arn_of(one(prod_plan, "aws:kms/key:Key", "backups"))
    assert _allowed(prod_plan, "backup") == {
        ("s3:PutObject", f"{bucket}/*"), ("s3:PutObjectRetention", f"{bucket}/*"),
        ("s3:AbortMultipartUpload", f"{bucket}/*"),
        ("s3:ListBucket", bucket), ("s3:GetBucketObjectLockConfiguration", bucket),
        ("kms:GenerateDataKey", key), ("kms:DescribeKey", key), ("kms:Decrypt", key),
    } | _signs_records(prod_plan)
    through_s3 = _grants(prod_plan, "backup")["S3EncryptsUploadsWithBackupKey"]
    assert through_s3["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert through_s3["Condition"]["StringEquals"] == {"kms:EncryptionContext:aws:s3:arn": bucket}


def test_drill_role_reads_and_decrypts_backups_only(prod_plan: Plan) -> None:
    """In both regions: `drill --region-outage` restores the copy with the replica key; the
    drill judges each backup's Object Lock, which S3 shows only with s3:GetObjectRetention."""
    key = arn_of(one(prod_plan, "aws:kms/key:Key", "backups"))
    replica_key = arn_of(one(prod_plan, "aws:kms/replicaKey:ReplicaKey", "backups-replica"))
    allowed = set()
    for bucket in (_bucket(prod_plan, "database-backups"), _bucket(prod_plan, "backups-replica")):
        allowed |= {("s3:GetObject", f"{bucket}/*"), ("s3:GetObjectVersion", f"{bucket}/*"),
                    ("s3:GetObjectRetention", f"{bucket}/*"), ("s3:ListBucket", bucket)}
    for k in (key, replica_key):
        allowed |= {("kms:Decrypt", k), ("kms:DescribeKey", k)}
    assert _allowed(prod_plan, "drill") == allowed | _signs_records(prod_plan)


READ_VERBS = ("Describe", "Get", "List")


def test_audit_role_is_read_only_and_reads_no_data(prod_plan: Plan) -> None:
    grants = _grants(prod_plan, "audit")
    config = grants["ReadConfiguration"]
    assert config["Resource"] == "*"
    for action in config["Action"]:
        verb = action.split(":")[1]
        assert "*" not in action
        assert verb.startswith(READ_VERBS) or action == "iam:GenerateCredentialReport", action
        assert action not in ("s3:GetObject", "secretsmanager:GetSecretValue", "kms:Decrypt")
    # every service a live audit covers
    services = {a.split(":")[0] for a in config["Action"]}
    assert {"kms", "s3", "backup", "cloudtrail", "iam", "ec2", "rds", "redshift", "elasticache",
            "es", "organizations"} <= services
    # of object data, only backup manifests and evidence records; decryption only through S3
    objects = {r for pair in _allowed(prod_plan, "audit") if pair[0] == "s3:GetObject"
               for r in [pair[1]]}
    assert objects == {f"{_bucket(prod_plan, 'database-backups')}/*/manifest.json",
                       f"{_bucket(prod_plan, 'backups-replica')}/*/manifest.json",
                       "arn:aws:s3:::claver-prod-evidence/records/*"}
    for sid in ("S3DecryptsManifests", "S3DecryptsReplicaManifests", "S3DecryptsRecords"):
        assert grants[sid]["Action"] == ["kms:Decrypt"]
        assert grants[sid]["Condition"]["StringLike"] == {"kms:ViaService": "s3.*.amazonaws.com"}
    assert not [a for s in grants.values() for a in s["Action"]
                if fnmatchcase(a, "*:Put*") or fnmatchcase(a, "*:Delete*")]


def test_evidence_role_adds_records_and_reports_and_deletes_nothing(prod_plan: Plan) -> None:
    evidence = "arn:aws:s3:::claver-prod-evidence"
    allowed = _allowed(prod_plan, "evidence")
    assert {(a, r) for a, r in allowed if a.startswith("s3:")} == {
        ("s3:PutObject", f"{evidence}/records/*"), ("s3:PutObject", f"{evidence}/reports/*"),
        ("s3:GetObject", f"{evidence}/records/*"), ("s3:ListBucket", evidence),
        # every version: an overwritten or deleted record is reported as tampering
        ("s3:GetObjectVersion", f"{evidence}/records/*"), ("s3:ListBucketVersions", evidence),
    }
    kms = _grants(prod_plan, "evidence")["S3EncryptsEvidence"]
    assert kms["Condition"]["StringEquals"] == {"kms:EncryptionContext:aws:s3:arn": evidence}


def test_no_job_may_delete_anything(prod_plan: Plan) -> None:
    for job in JOBS:
        actions = {a for a, _ in _allowed(prod_plan, job)}
        assert not {a for a in actions if "Delete" in a or a.endswith("*") or "Bypass" in a}, job



def test_the_gate_knows_every_type_the_program_declares(prod_plan: Plan) -> None:
    """The OIDC provider and the Supabase settings are checked, not skipped as unknown."""
    translated = translate(Declared(prod_plan, "prod"))
    assert [r.type for r in translated.unchecked if r.custom] == []
    types = {r["type"] for r in translated.document["planned_values"]["root_module"]["resources"]}
    assert {"aws_iam_openid_connect_provider", "supabase_project_settings",
            "aws_iam_policy"} <= types
