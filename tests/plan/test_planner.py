"""The offline planner on small programs written for these tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trustctl.errors import InputError
from trustctl.plan import plan_program

PROGRAMS = Path(__file__).parent / "programs"
SHOP = PROGRAMS / "shop"
SECRET_CIPHERTEXT = "AAABANotARealCiphertextButShapedLikeOne=="


@pytest.fixture(scope="module")
def shop():
    return plan_program(SHOP, "test")


def _one(plan, type_token, name):
    [resource] = [r for r in plan.of_type(type_token) if r.name == name]
    return resource


def test_every_declared_resource_is_planned(shop):
    names = sorted((r.type, r.name) for r in shop.resources)
    assert names == sorted([
        ("aws:kms/key:Key", "data-key"),
        ("shop:storage:EncryptedBucket", "files"),
        ("aws:s3/bucket:Bucket", "files-bucket"),
        ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
         "files-sse"),
        ("aws:ec2/vpc:Vpc", "vpc"),
        ("aws:ec2/subnet:Subnet", "private-a"),
        ("aws:ec2/subnet:Subnet", "private-b"),
        ("aws:iam/policy:Policy", "read-files"),
        ("aws:rds/instance:Instance", "db"),
    ])


def test_urns_follow_the_engine_and_children_name_their_component(shop):
    component = _one(shop, "shop:storage:EncryptedBucket", "files")
    bucket = _one(shop, "aws:s3/bucket:Bucket", "files-bucket")
    assert component.urn == "urn:pulumi:test::shop::shop:storage:EncryptedBucket::files"
    assert component.custom is False and component.parent is None
    assert bucket.parent == component.urn
    assert bucket.urn == (
        "urn:pulumi:test::shop::shop:storage:EncryptedBucket$aws:s3/bucket:Bucket::files-bucket"
    )


def test_source_points_at_the_declaring_line(shop):
    sse = _one(shop, "aws:s3/bucketServerSideEncryptionConfiguration:"
               "BucketServerSideEncryptionConfiguration", "files-sse")
    key = _one(shop, "aws:kms/key:Key", "data-key")
    storage_lines = (SHOP / "storage.py").read_text().splitlines()
    main_lines = (SHOP / "__main__.py").read_text().splitlines()
    assert sse.source.file == "storage.py"
    assert "BucketServerSideEncryptionConfiguration(" in storage_lines[sse.source.line - 1]
    assert key.source.file == "__main__.py"
    assert 'aws.kms.Key("data-key"' in main_lines[key.source.line - 1]


def test_references_stay_traceable_through_synthesized_outputs(shop):
    key = _one(shop, "aws:kms/key:Key", "data-key")
    sse = _one(shop, "aws:s3/bucketServerSideEncryptionConfiguration:"
               "BucketServerSideEncryptionConfiguration", "files-sse")
    rule = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule["kmsMasterKeyId"] == "arn:aws:kms:eu-west-1:123456789012:key/data-key"
    assert key.urn in sse.property_dependencies["rules"]
    assert sse.inputs["bucket"] == "files-bucket"
    bucket = _one(shop, "aws:s3/bucket:Bucket", "files-bucket")
    assert set(sse.dependencies) >= {key.urn, bucket.urn}


def test_apply_outputs_are_resolved_and_depend_on_their_sources(shop):
    policy = _one(shop, "aws:iam/policy:Policy", "read-files")
    document = json.loads(policy.inputs["policy"])
    assert document["Statement"][0]["Resource"] == "arn:aws:s3:::files-bucket/*"
    assert document["Statement"][1]["Resource"].endswith(":key/data-key")
    assert _one(shop, "aws:kms/key:Key", "data-key").urn in policy.dependencies


def test_object_and_typed_config_reach_the_program(shop):
    subnets = shop.of_type("aws:ec2/subnet:Subnet")
    assert sorted(s.inputs["cidrBlock"] for s in subnets) == ["10.20.1.0/24", "10.20.2.0/24"]
    assert sorted(s.inputs["availabilityZone"] for s in subnets) == ["eu-west-1a", "eu-west-1b"]
    assert _one(shop, "aws:ec2/vpc:Vpc", "vpc").inputs["cidrBlock"] == "10.20.0.0/16"
    db = _one(shop, "aws:rds/instance:Instance", "db")
    assert db.inputs["backupRetentionPeriod"] == 35
    assert db.inputs["tags"] == {"owner": "platform"}  # project-level default


def test_secrets_become_placeholders_and_never_reach_the_plan(shop):
    db = _one(shop, "aws:rds/instance:Instance", "db")
    assert db.inputs["password"] == "[secret]"
    assert SECRET_CIPHERTEXT not in json.dumps(shop.to_json())


def test_config_overrides_replace_stack_values():
    plan = plan_program(SHOP, "test", config_overrides={"retentionDays": "7"})
    db = _one(plan, "aws:rds/instance:Instance", "db")
    assert db.inputs["backupRetentionPeriod"] == 7


def test_planning_twice_in_one_process_gives_the_same_plan(shop):
    again = plan_program(SHOP, "test")
    assert again.to_json() == shop.to_json()


@pytest.mark.parametrize(
    ("program", "stack", "expected"),
    [
        (PROGRAMS / "raises", "test",
         "__main__.py:4: program raised ValueError: subnet cidr 10.0.0.0/33 is not a valid CIDR"),
        (PROGRAMS, "test", "Pulumi.yaml: no Pulumi.yaml"),
    ],
)
def test_unplannable_programs_raise_an_input_error_naming_the_file(program, stack, expected):
    with pytest.raises(InputError) as caught:
        plan_program(program, stack)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def _trustctl(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trustctl.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def test_plan_command_writes_the_resources_file(tmp_path):
    out = tmp_path / "plan.json"
    result = _trustctl("plan", "--stack", "test", "--output", str(out), cwd=SHOP)
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert len(doc["resources"]) == 9
    first = doc["resources"][0]
    assert set(first) >= {"urn", "type", "name", "parent", "inputs", "dependencies", "source"}
    assert "planned 9 resources" in result.stderr


def test_plan_command_exits_2_with_one_line_for_a_program_that_raises():
    result = _trustctl("plan", "--program", str(PROGRAMS / "raises"), "--stack", "test",
                       cwd=PROGRAMS)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "ValueError: subnet cidr 10.0.0.0/33" in result.stderr
