"""ACCESS-LOGGED and STAFF-ACCESS: every data access logged; production access named + MFA."""

from __future__ import annotations

import yaml
from infra_queries import arn_of, bucket_part, one, policy, statements

from trustctl.plan import Plan

ROLE = "aws:iam/role:Role"


def _stack_config(repo_root) -> dict:
    return yaml.safe_load((repo_root / "Pulumi.prod.yaml").read_text())["config"]


def test_trail_is_multi_region_validated_and_encrypted(prod_plan: Plan) -> None:
    trail = one(prod_plan, "aws:cloudtrail/trail:Trail", "audit-trail").inputs
    assert trail["isMultiRegionTrail"] is True
    assert trail["includeGlobalServiceEvents"] is True
    assert trail["enableLogFileValidation"] is True
    assert trail["enableLogging"] is True
    assert trail["kmsKeyId"] == arn_of(one(prod_plan, "aws:kms/key:Key", "audit-logs"))
    assert trail["s3BucketName"] == one(prod_plan, "aws:s3/bucket:Bucket", "audit-logs").name


def test_trail_records_reads_and_writes_of_customer_files_and_backups(prod_plan: Plan) -> None:
    [selector] = one(prod_plan, "aws:cloudtrail/trail:Trail", "audit-trail").inputs[
        "eventSelectors"]
    assert selector["readWriteType"] == "All"
    assert selector["includeManagementEvents"] is True
    [data] = selector["dataResources"]
    assert data["type"] == "AWS::S3::Object"
    watched = {arn_of(one(prod_plan, "aws:s3/bucket:Bucket", b)) + "/"
               for b in ("customer-files", "database-backups", "backups-replica")}
    assert set(data["values"]) == watched


def test_only_this_trail_may_write_to_the_audit_bucket(prod_plan: Plan) -> None:
    by_sid = statements(policy(bucket_part(prod_plan, "audit-logs",
                                           "aws:s3/bucketPolicy:BucketPolicy")))
    write = by_sid["CloudTrailWritesLogs"]
    trail_name = one(prod_plan, "aws:cloudtrail/trail:Trail", "audit-trail").inputs["name"]
    assert write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == (
        f"arn:aws:cloudtrail:us-east-1:123456789012:trail/{trail_name}")
    trail = one(prod_plan, "aws:cloudtrail/trail:Trail", "audit-trail")
    policy_resource = bucket_part(prod_plan, "audit-logs", "aws:s3/bucketPolicy:BucketPolicy")
    assert policy_resource.urn in trail.dependencies  # the trail is created after its policy


def test_on_call_role_trusts_exactly_the_named_principals_with_mfa(prod_plan: Plan,
                                                                   repo_root) -> None:
    role = one(prod_plan, ROLE, "on-call")
    [trust] = policy(role, "assumeRolePolicy")["Statement"]
    named = _stack_config(repo_root)["trustctl:onCallPrincipalArns"]
    assert trust["Effect"] == "Allow"
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {"AWS": named}
    assert trust["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}
    assert int(trust["Condition"]["NumericLessThan"]["aws:MultiFactorAuthAge"]) <= 3600
    assert role.inputs["maxSessionDuration"] <= 3600


def test_no_role_trusts_a_wildcard_or_a_whole_account(prod_plan: Plan) -> None:
    for role in prod_plan.of_type(ROLE):
        for trust in policy(role, "assumeRolePolicy")["Statement"]:
            principals = trust["Principal"].get("AWS", [])
            principals = [principals] if isinstance(principals, str) else principals
            assert "*" not in principals, role.name
            assert not [p for p in principals if p.endswith(":root")], role.name


def test_every_role_says_who_assumes_it(prod_plan: Plan) -> None:
    kinds = {r.name: r.inputs["tags"]["trustctl:access"] for r in prod_plan.of_type(ROLE)}
    assert kinds == {"access-on-call": "staff", "access-aws-backup": "service",
                     "network-flow-logs": "service", "jobs-backup": "workload",
                     "jobs-drill": "workload", "jobs-audit": "workload",
                     "jobs-evidence": "workload", "backup-replica-replication": "service"}


def test_password_policy_is_strict(prod_plan: Plan) -> None:
    rules = one(prod_plan, "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
                "password-policy").inputs
    assert rules["minimumPasswordLength"] >= 14
    assert all(rules[k] is True for k in ("requireLowercaseCharacters",
                                          "requireUppercaseCharacters", "requireNumbers",
                                          "requireSymbols"))
    assert rules["passwordReusePrevention"] == 24
    assert 0 < rules["maxPasswordAge"] <= 90
