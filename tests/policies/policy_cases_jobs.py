"""The scheduled jobs' identities and the Supabase project: GitHub OIDC trust (STAFF-ACCESS),
write-once backups (BACKUP-DAILY-35D), a read-only audit (STAFF-ACCESS), NO-PUBLIC-DB."""

from __future__ import annotations

import json
from typing import Any

from policy_plan_builder import Resource
from policy_scenario import FAILED, NOT_APPLICABLE, PASSED, Scenario

OIDC = "token.actions.githubusercontent.com"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{OIDC}"
REPO = "claver/trustctl"
AUD = {f"{OIDC}:aud": "sts.amazonaws.com"}
BACKUPS = "arn:aws:s3:::claver-backups"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions: list[str], resources: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def github_role(name: str, condition: dict[str, Any], job: str | None = None) -> Resource:
    trust = {"Effect": "Allow", "Principal": {"Federated": PROVIDER},
             "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}
    tags = {"trustctl:access": "workload", **({"trustctl:job": job} if job else {})}
    return Resource("aws_iam_role", name, {
        "name": name, "assume_role_policy": document(trust), "tags": tags})


def iam_policy(name: str, *statements: dict[str, Any], job: str | None = None) -> Resource:
    tags = {"trustctl:job": job} if job else {}
    return Resource("aws_iam_policy", name,
                    {"name": name, "policy": document(*statements), "tags": tags})


def github_trust_scenario() -> Scenario:
    s = Scenario()
    production = {"StringEquals": {**AUD, f"{OIDC}:sub": f"repo:{REPO}:environment:production"}}
    s.expect(PASSED, "CKV_TRUST_33 CKV_TRUST_19", github_role("gh_production", production))
    main = {"StringEquals": {**AUD, f"{OIDC}:sub": f"repo:{REPO}:ref:refs/heads/main"}}
    s.expect(PASSED, "CKV_TRUST_33", github_role("gh_main", main))
    s.expect(FAILED, "CKV_TRUST_33", github_role("gh_any_repository", {"StringEquals": AUD}))
    any_branch = {"StringEquals": AUD, "StringLike": {f"{OIDC}:sub": f"repo:{REPO}:*"}}
    s.expect(FAILED, "CKV_TRUST_33", github_role("gh_any_branch", any_branch))
    wildcard = {"StringEquals": AUD, "StringLike": {f"{OIDC}:sub": "repo:*"}}
    s.expect(FAILED, "CKV_TRUST_33", github_role("gh_wildcard_subject", wildcard))
    pull_requests = {"StringEquals": {**AUD, f"{OIDC}:sub": f"repo:{REPO}:pull_request"}}
    s.expect(FAILED, "CKV_TRUST_33", github_role("gh_pull_requests", pull_requests))
    no_audience = {"StringEquals": {f"{OIDC}:sub": f"repo:{REPO}:environment:production"}}
    s.expect(FAILED, "CKV_TRUST_33", github_role("gh_no_audience", no_audience))
    two = {"StringEquals": {**AUD, f"{OIDC}:sub": [f"repo:{REPO}:environment:production",
                                                   "repo:other/fork:environment:production"]}}
    s.expect(FAILED, "CKV_TRUST_33", github_role("gh_two_repositories", two))
    negated = {"StringEquals": AUD,
               "StringNotEquals": {f"{OIDC}:sub": f"repo:{REPO}:environment:staging"}}
    s.expect(FAILED, "CKV_TRUST_33", github_role("gh_negated_subject", negated))
    return s


def write_once_scenario() -> Scenario:
    s = Scenario()
    put = allow(["s3:PutObject"], f"{BACKUPS}/*")
    s.expect(PASSED, "CKV_TRUST_34", iam_policy(
        "backup_writer", put, allow(["s3:ListBucket"], BACKUPS)))
    s.expect(FAILED, "CKV_TRUST_34", iam_policy(
        "backup_writer_deletes", put, allow(["s3:DeleteObjectVersion"], f"{BACKUPS}/*")))
    s.expect(FAILED, "CKV_TRUST_34", iam_policy(
        "backup_writer_s3_star", allow(["s3:*"], [BACKUPS, f"{BACKUPS}/*"])))
    s.expect(FAILED, "CKV_TRUST_34", iam_policy(
        "backup_writer_expires", put, allow(["s3:PutLifecycleConfiguration"], BACKUPS)))
    s.expect(PASSED, "CKV_TRUST_34", iam_policy(
        "writes_one_deletes_another", put,
        allow(["s3:DeleteObject"], "arn:aws:s3:::claver-scratch/*")))
    s.expect(FAILED, "CKV_TRUST_34", Resource("aws_iam_role_policy", "backup_writer_inline", {
        "name": "inline", "policy": document(put, allow(["s3:Delete*"], "*"))}))
    inline = [{"name": "writer", "policy": document(put, allow(["s3:DeleteObject"],
                                                                f"{BACKUPS}/*"))}]
    s.expect(FAILED, "CKV_TRUST_34", Resource("aws_iam_role", "backup_writer_role", {
        "name": "backup_writer_role", "inline_policy": inline,
        "assume_role_policy": document({"Effect": "Allow", "Action": "sts:AssumeRole",
                                        "Principal": {"Service": "ecs-tasks.amazonaws.com"}})}))
    return s


def read_only_audit_scenario() -> Scenario:
    s = Scenario()
    manifests = allow(["s3:GetObject"], f"{BACKUPS}/*/manifest.json")
    via_s3 = allow(["kms:Decrypt"], "*",
                   Condition={"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}})
    reads = allow(["kms:DescribeKey", "s3:GetBucketPolicy", "ec2:Describe*", "iam:List*",
                   "iam:GenerateCredentialReport"], "*")
    s.expect(PASSED, "CKV_TRUST_35", iam_policy("audit", reads, manifests, via_s3, job="audit"))
    s.expect(FAILED, "CKV_TRUST_35", iam_policy(
        "audit_writes", reads, allow(["s3:PutObject"], f"{BACKUPS}/*"), job="audit"))
    s.expect(FAILED, "CKV_TRUST_35", iam_policy(
        "audit_reads_objects", allow(["s3:Get*"], "*"), job="audit"))
    s.expect(FAILED, "CKV_TRUST_35", iam_policy(
        "audit_decrypts", reads, allow(["kms:Decrypt"], "*"), job="audit"))
    s.expect(FAILED, "CKV_TRUST_35", iam_policy(
        "audit_everything", allow(["*"], "*"), job="audit"))
    s.expect(FAILED, "CKV_TRUST_35", iam_policy(
        "audit_reads_secrets", allow(["secretsmanager:GetSecretValue"], "*"), job="audit"))
    signing_key = "arn:aws:kms:eu-west-2:111122223333:key/evidence-signing"
    s.expect(PASSED, "CKV_TRUST_35", iam_policy(
        "audit_signs_its_records", reads, allow(["kms:Sign"], signing_key), job="audit"))
    s.expect(FAILED, "CKV_TRUST_35", iam_policy(
        "audit_signs_with_any_key", reads, allow(["kms:Sign"], "*"), job="audit"))
    s.expect(NOT_APPLICABLE, "CKV_TRUST_35", iam_policy(
        "not_the_audit", allow(["s3:PutObject"], f"{BACKUPS}/*"), job="backup"))
    production = {"StringEquals": {**AUD, f"{OIDC}:sub": f"repo:{REPO}:environment:production"}}
    s.expect(PASSED, "CKV_TRUST_37", github_role("audit_role", production, job="audit"))
    sneaky = github_role("audit_role_inline", production, job="audit")
    s.expect(FAILED, "CKV_TRUST_37", sneaky)
    s.add(Resource("aws_iam_role_policy", "audit_role_inline", {
        "name": "more", "policy": document(allow(["s3:PutObject"], "*"))},
        {("role",): "aws_iam_role.audit_role_inline.id"}))
    s.expect(PASSED, "CKV_TRUST_37", github_role("backup_role_inline", production, job="backup"))
    inline = s.add(Resource("aws_iam_role_policy", "backup_role_inline", {
        "name": "more", "policy": document(allow(["s3:PutObject"], f"{BACKUPS}/*"))},
        {("role",): "aws_iam_role.backup_role_inline.id"}))
    s.expect(NOT_APPLICABLE, "CKV_TRUST_37", inline)  # judged on roles, never on their policies
    return s


def supabase(name: str, cidrs: list[str], ssl: bool = True) -> Resource:
    return Resource("supabase_project_settings", name, {
        "project_ref": "abcdefghijklmnopqrst", "allowed_cidrs": cidrs, "ssl_enforced": ssl})


def supabase_scenario() -> Scenario:
    s = Scenario()
    s.expect(PASSED, "CKV_TRUST_36", supabase("vpc_only", ["10.40.0.0/16", "2600:1f18::/40"]))
    s.expect(FAILED, "CKV_TRUST_36", supabase("open_v4", ["10.40.0.0/16", "0.0.0.0/0"]))
    s.expect(FAILED, "CKV_TRUST_36", supabase("open_v6", ["::/0"]))
    s.expect(FAILED, "CKV_TRUST_36", supabase("empty", []))
    s.expect(FAILED, "CKV_TRUST_36", supabase("plaintext", ["10.40.0.0/16"], ssl=False))
    return s


def jobs_scenario() -> Scenario:
    s = github_trust_scenario()
    for part in (write_once_scenario, read_only_audit_scenario, supabase_scenario):
        s.merge(part())
    return s
