"""Stack config is validated once: a value breaking a promise stops the program, naming the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustctl.errors import InputError
from trustctl.plan import plan_program


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("backupRetentionDays", "30", "trustctl:backupRetentionDays: 30 is below the minimum 35"),
        ("hstsMaxAgeSeconds", "31536000",
         "trustctl:hstsMaxAgeSeconds: 31536000 is below the minimum 63072000"),
        ("failedAttemptThreshold", "11",
         "trustctl:failedAttemptThreshold: 11 is above the maximum 10"),
        ("restoreTimeTargetMinutes", "300",
         "trustctl:restoreTimeTargetMinutes: 300 is above the maximum 240"),
        ("backupRetentionDays", "thirty-five",
         "trustctl:backupRetentionDays: 'thirty-five' is not an integer"),
        ("lockoutSeconds", "60", "trustctl:lockoutSeconds: 60 is not one of"),
        ("auditLogRetentionDays", "90", "trustctl:auditLogRetentionDays: 90 is not one of"),
        ("onCallPrincipalArns", json.dumps(["*"]),
         "trustctl:onCallPrincipalArns: '*' is not valid"),
        ("onCallPrincipalArns", json.dumps(["arn:aws:iam::123456789012:user/alice"]),
         "trustctl:onCallPrincipalArns: 'arn:aws:iam::123456789012:user/alice' is not valid"),
        ("onCallPrincipalArns", json.dumps([]), "trustctl:onCallPrincipalArns: needs at least 1"),
        ("githubRepository", "claver/*", "trustctl:githubRepository: 'claver/*' is not valid"),
        ("githubRepository", "claver", "trustctl:githubRepository: 'claver' is not valid"),
        ("supabaseProjectRef", "abc", "trustctl:supabaseProjectRef: 'abc' is not valid"),
        ("supabaseAllowedCidrs", json.dumps(["0.0.0.0/0"]),
         "trustctl:supabaseAllowedCidrs: 0.0.0.0/0 admits the whole internet"),
        ("supabaseAllowedCidrs", json.dumps(["10.40.0.0/16", "::/0"]),
         "trustctl:supabaseAllowedCidrs: ::/0 admits the whole internet"),
        ("supabaseAllowedCidrs", json.dumps([]),
         "trustctl:supabaseAllowedCidrs: needs at least 1"),
        ("supabaseAllowedCidrs", json.dumps(["10.40.0.1/16"]),
         "trustctl:supabaseAllowedCidrs: '10.40.0.1/16' is not a CIDR block"),
        ("availabilityZones", json.dumps(["us-east-1a"]),
         "trustctl:availabilityZones: needs at least 2"),
        ("availabilityZones", json.dumps(["us-east-1a", "us-west-2b"]),
         "trustctl:availabilityZones: 'us-west-2b' is not valid"),
        ("privateSubnetCidrs", json.dumps(["10.40.0.0/20", "192.168.0.0/24"]),
         "trustctl:privateSubnetCidrs: 192.168.0.0/24 is outside the VPC"),
        ("vpcCidr", "8.8.0.0/16", "trustctl:vpcCidr: 8.8.0.0/16 is not a private range"),
        ("vpcCidr", "fd00::/56", "trustctl:vpcCidr: 'fd00::/56' is not an IPv4 CIDR block"),
        ("privateSubnetCidrs", json.dumps(["10.40.0.0/20", "10.40.8.0/24"]),
         "trustctl:privateSubnetCidrs: 10.40.8.0/24 overlaps another subnet"),
        ("contentSecurityPolicy", "default-src 'self'",
         "trustctl:contentSecurityPolicy: has no script-src"),
        ("contentSecurityPolicy", "script-src 'self' 'unsafe-inline'",
         "trustctl:contentSecurityPolicy: script-src allows inline"),
        ("domain", "", "trustctl:domain: is missing"),
        ("evidenceRetentionDays", "400",
         "trustctl:evidenceRetentionDays: 400 is below the minimum 730"),
    ],
)
def test_a_bad_value_is_refused_with_one_line_naming_the_key(
    repo_root: Path, key: str, value: str, expected: str
) -> None:
    with pytest.raises(InputError) as raised:
        plan_program(repo_root, "prod", {key: value})
    message = str(raised.value)
    assert "\n" not in message
    assert expected in message
    assert "StackConfigError" in message


def test_a_longer_retention_flows_everywhere_retention_is_declared(repo_root: Path) -> None:
    plan = plan_program(repo_root, "prod", {"backupRetentionDays": "42"})
    [rule] = plan.of_type("aws:backup/plan:Plan")[0].inputs["rules"]
    assert rule["lifecycle"] == {"deleteAfter": 42}
    assert [copy["lifecycle"] for copy in rule["copyActions"]] == [{"deleteAfter": 42}]
    # The primary and the recovery region's vault and bucket alike.
    locks = plan.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert [lock.inputs["minRetentionDays"] for lock in locks] == [42, 42]
    object_locks = [lock for lock in plan.of_type(
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
        if "backups" in lock.name]
    assert [o.inputs["rule"]["defaultRetention"]["days"] for o in object_locks] == [42, 42]
