"""Pulumi resources -> Terraform plan JSON: types, property names, blocks, references, secrets."""

from __future__ import annotations

import json

from gate_support import FIXTURES

from trustctl.gate.resource_types import TF_TYPES, snake_case, tf_type
from trustctl.gate.resource_types import snake_case, tf_type
from trustctl.gate.sources import Declared, from_preview, from_state
from trustctl.gate.translate import REDACTED, translate
from trustctl.paths import REPO_ROOT
from trustctl.plan.model import Plan, PlannedResource

URN = "urn:pulumi:prod::p::"


def _resource(type_token: str, name: str, inputs: dict, **deps: list[str]) -> PlannedResource:
    return PlannedResource(urn=f"{URN}{type_token}::{name}", type=type_token, name=name,
                           inputs=inputs, property_dependencies=dict(deps))


def _planned(plan_doc: dict, address: str) -> dict:
    return next(r for r in plan_doc["planned_values"]["root_module"]["resources"]
                if r["address"] == address)


def _expressions(plan_doc: dict, address: str) -> dict:
    return next(r for r in plan_doc["configuration"]["root_module"]["resources"]
                if r["address"] == address)["expressions"]


def test_irregular_type_names_follow_the_bridge() -> None:
    assert tf_type("aws:rds/instance:Instance").name == "aws_db_instance"
    assert tf_type("aws:backup/plan:Plan").name == "aws_backup_plan"
    assert tf_type("aws:cloudtrail/trail:Trail").name == "aws_cloudtrail"
    assert tf_type("aws:ec2/securityGroup:SecurityGroup").name == "aws_security_group"
    assert tf_type("cloudflare:index/zoneSetting:ZoneSetting").name == "cloudflare_zone_setting"
    assert tf_type("aws:lambda/unknownThing:UnknownThing") is None
    assert tf_type("gcp:sql/databaseInstance:DatabaseInstance") is None


def test_snake_case_keeps_digits_and_acronyms_together() -> None:
    assert snake_case("kmsMasterKeyId") == "kms_master_key_id"
    assert snake_case("ipv6CidrBlocks") == "ipv6_cidr_blocks"
    assert snake_case("tls13") == "tls13"
    assert snake_case("enableKeyRotation") == "enable_key_rotation"


def test_list_blocks_singular_and_single_blocks_as_list_of_one() -> None:
    plan = translate(Declared(Plan([_resource("aws:backup/plan:Plan", "daily", {
        "__defaults": [],
        "rules": [{"ruleName": "daily", "schedule": "cron(0 3 * * ? *)",
                   "lifecycle": {"deleteAfter": 35},
                   "copyActions": [{"destinationVaultArn": "x"}]}],
        "tags": {"trustctl:Purpose": "backup"},
    })]), "test"))
    values = _planned(plan.document, "aws_backup_plan.daily")["values"]
    assert values == {
        "rule": [{"rule_name": "daily", "schedule": "cron(0 3 * * ? *)",
                  "lifecycle": [{"delete_after": 35}],
                  "copy_action": [{"destination_vault_arn": "x"}]}],
        "tags": {"trustctl:Purpose": "backup"},
    }


def test_cloudflare_objects_stay_objects_and_map_keys_stay_verbatim() -> None:
    plan = translate(Declared(Plan([_resource("cloudflare:index/ruleset:Ruleset", "csp", {
        "phase": "http_response_headers_transform",
        "rules": [{"action": "rewrite", "actionParameters": {"headers": {
            "Content-Security-Policy": {"operation": "set", "value": "script-src 'self'"}}}}],
    })]), "test"))
    values = _planned(plan.document, "cloudflare_ruleset.csp")["values"]
    assert values["rules"][0]["action_parameters"] == {"headers": {
        "Content-Security-Policy": {"operation": "set", "value": "script-src 'self'"}}}


def test_references_become_configuration_references_and_unknown_values() -> None:
    key = _resource("aws:kms/key:Key", "data-key", {"enableKeyRotation": True})
    bucket = _resource("aws:s3/bucket:Bucket", "files", {"bucket": "files"})
    sse = _resource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "files-sse",
        {"bucket": "files", "rules": [{"applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms",
            "kmsMasterKeyId": "arn:aws:kms:us-east-1:123456789012:key/data-key"}}]},
        bucket=[bucket.urn], rules=[key.urn])
    plan = translate(Declared(Plan([key, bucket, sse]), "test"))
    address = "aws_s3_bucket_server_side_encryption_configuration.files-sse"
    assert _planned(plan.document, address)["values"] == {
        "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}
    assert _expressions(plan.document, address) == {
        "bucket": {"references": ["aws_s3_bucket.files.id", "aws_s3_bucket.files"]},
        "rule": [{"apply_server_side_encryption_by_default": [{"kms_master_key_id": {
            "references": ["aws_kms_key.data-key.arn", "aws_kms_key.data-key"]}}]}],
    }


def test_references_recovered_from_ids_when_a_state_has_no_dependencies() -> None:
    state = from_state(FIXTURES / "stack-export-data-stores.json")
    for resource in state.plan.resources:
        resource.property_dependencies = {}
    plan = translate(state)
    assert _expressions(plan.document, "aws_db_instance.orders-db") == {
        "kms_key_id": {"references": ["aws_kms_key.good-key.arn", "aws_kms_key.good-key"]},
        "vpc_security_group_ids": {"references": ["aws_security_group.db-sg.id",
                                                  "aws_security_group.db-sg"]},
    }


def test_addresses_are_valid_and_unique_and_map_back_to_urns() -> None:
    first = _resource("aws:kms/key:Key", "alb_this[0]", {})
    second = _resource("aws:kms/key:Key", "alb_this(0)", {})
    second.urn += "-2"
    plan = translate(Declared(Plan([first, second]), "test"))
    assert sorted(plan.resources) == ["aws_kms_key.alb_this_0_", "aws_kms_key.alb_this_0__2"]
    assert {r.urn for r in plan.resources.values()} == {first.urn, second.urn}


def test_secrets_never_reach_the_plan() -> None:
    preview = from_preview(FIXTURES / "preview-data-stores.json")
    state = from_state(FIXTURES / "stack-export-data-stores.json")
    text = json.dumps(translate(state).document) + json.dumps(translate(preview).document)
    assert "v1:Zm9vYmFyYmF6" not in text and "ciphertext" not in text
    db = _planned(translate(state).document, "aws_db_instance.orders-db")
    assert db["values"]["password"] == REDACTED


def test_unknown_and_inert_types_are_kept_apart() -> None:
    plan = translate(Declared(Plan([
        _resource("gcp:sql/databaseInstance:DatabaseInstance", "orders", {}),
        _resource("random:index/randomPassword:RandomPassword", "pw", {}),
        _resource("aws:kms/key:Key", "k", {}),
    ]), "test"))
    assert [r.name for r in plan.unchecked] == ["orders"]
    assert [r.name for r in plan.skipped_inert] == ["pw"]
    assert list(plan.resources) == ["aws_kms_key.k"]
