"""Pulumi resources -> Terraform plan JSON: types, property names, blocks, references, secrets."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from gate_support import FIXTURES

from trustctl.gate.checkov_runner import checkov_env, checkov_venv
from trustctl.gate.resource_types import snake_case, tf_type
from trustctl.gate.sdk_schema import sdk_resource_tokens
from trustctl.gate.sources import Declared, from_preview, from_state
from trustctl.gate.translate import REDACTED, translate
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


# TF types checkov has checks for that no installed SDK declares: removed from the AWS provider
# (OpsWorks, WorkLink, SimpleDB, EC2-Classic security groups, Macie classic), or checkov's own
# pseudo-types for data sources and the root account.
ABSENT_FROM_THE_SDKS = {
    "aws_az_info", "aws_caller_info", "aws_region_info", "aws_root", "aws_root_access_key",
    "aws_iam_policy_document", "aws_db_security_group", "aws_elasticache_security_group",
    "aws_redshift_security_group", "aws_macie_member_account_association",
    "aws_macie_s3_bucket_association", "aws_simpledb_domain", "aws_worklink_fleet",
    "aws_worklink_website_certificate_authority_association", "aws_opsworks_application",
    "aws_opsworks_custom_layer", "aws_opsworks_ecs_cluster_layer", "aws_opsworks_ganglia_layer",
    "aws_opsworks_haproxy_layer", "aws_opsworks_instance", "aws_opsworks_java_app_layer",
    "aws_opsworks_memcached_layer", "aws_opsworks_mysql_layer", "aws_opsworks_nodejs_app_layer",
    "aws_opsworks_permission", "aws_opsworks_php_app_layer", "aws_opsworks_rails_app_layer",
    "aws_opsworks_rds_db_instance", "aws_opsworks_stack", "aws_opsworks_static_web_layer",
    "aws_opsworks_user_profile",
}
CHECKOV_TYPES = """
import json
from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.terraform.checks.resource.registry import resource_registry
graph = get_graph_checks_registry("terraform")
graph.load_checks()
types = set(resource_registry.checks) | {t for c in graph.checks for t in c.resource_types}
print(json.dumps(sorted(t for t in types if t.startswith(("aws_", "cloudflare_")))))
"""


@pytest.fixture(scope="module")
def translated() -> dict[str, str]:
    """Every resource type of the installed pulumi-aws and pulumi-cloudflare -> its TF name."""
    tokens = [*sdk_resource_tokens("aws"), *sdk_resource_tokens("cloudflare")]
    return {token: getattr(tf_type(token), "name", "") for token in tokens}


def test_every_sdk_resource_type_translates(translated: dict[str, str]) -> None:
    assert len(translated) > 1900
    assert [t for t, name in translated.items()
            if not re.fullmatch(r"(aws|cloudflare)_[a-z0-9]+(_[a-z0-9]+)*", name)] == []


def test_every_type_checkov_checks_is_reached(translated: dict[str, str]) -> None:
    python = checkov_venv() / "bin" / "python"
    checked = json.loads(subprocess.run([str(python), "-c", CHECKOV_TYPES], capture_output=True,
                                        text=True, check=True, env=checkov_env()).stdout)
    assert len(checked) > 1000
    assert set(checked) - set(translated.values()) == ABSENT_FROM_THE_SDKS


@pytest.mark.parametrize(("token", "name"), [
    ("aws:rds/instance:Instance", "aws_db_instance"),  # an exception
    ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
    ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),  # v5 names kept as aliases
    ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),  # ec2: no prefix
    ("aws:ec2/fleet:Fleet", "aws_ec2_fleet"),  # except these
    ("aws:ec2transitgateway/transitGateway:TransitGateway", "aws_ec2_transit_gateway"),
    ("aws:lex/v2modelsBot:V2modelsBot", "aws_lexv2models_bot"),  # a folded sub-service
    ("aws:cfg/rule:Rule", "aws_config_config_rule"),
    ("aws:lambda/function:Function", "aws_lambda_function"),
    ("aws:opensearch/serverlessCollection:ServerlessCollection",
     "aws_opensearchserverless_collection"),
    ("cloudflare:index/zoneSetting:ZoneSetting", "cloudflare_zone_setting"),
])
def test_type_names_follow_the_bridge(translated: dict[str, str], token: str, name: str) -> None:
    assert translated[token] == name


def test_types_no_installed_sdk_declares_are_not_guessed() -> None:
    assert tf_type("aws:lambda/unknownThing:UnknownThing") is None
    assert tf_type("gcp:sql/databaseInstance:DatabaseInstance") is None


def _values(token: str, inputs: dict) -> dict:
    plan = translate(Declared(Plan([_resource(token, "r", inputs)]), "test"))
    return plan.document["planned_values"]["root_module"]["resources"][0]["values"]


def test_block_names_come_from_the_sdk_input_types() -> None:
    rule = _values("aws:lb/listenerRule:ListenerRule", {"actions": [{"type": "forward", "forward": {
        "targetGroups": [{"arn": "x", "weight": 1}]}}]})
    assert rule == {"action": [{"type": "forward", "forward": [{
        "target_group": [{"arn": "x", "weight": 1}]}]}]}
    template = _values("aws:ec2/launchTemplate:LaunchTemplate", {"blockDeviceMappings": [
        {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]})
    assert template == {"block_device_mappings": [{"device_name": "/dev/xvda",
                                                   "ebs": [{"encrypted": "true"}]}]}
    oidc = _values("aws:iam/openIdConnectProvider:OpenIdConnectProvider", {
        "clientIdLists": ["sts.amazonaws.com"], "url": "https://token.actions.githubusercontent.com"})
    assert oidc == {"client_id_list": ["sts.amazonaws.com"],
                    "url": "https://token.actions.githubusercontent.com"}
    instance = _values("aws:ec2/instance:Instance", {"volumeTags": {"Name": "db"}})
    assert instance == {"volume_tags": {"Name": "db"}}  # a map: keys are data
    policy = _values("cloudflare:index/notificationPolicy:NotificationPolicy", {
        "mechanisms": {"emails": [{"id": "a@example.com"}], "webhooks": [{"id": "w"}]}})
    assert policy == {"mechanisms": {"email": [{"id": "a@example.com"}],
                                     "webhooks": [{"id": "w"}]}}


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


def test_unknown_and_harmless_types_are_kept_apart() -> None:
    plan = translate(Declared(Plan([
        _resource("gcp:sql/databaseInstance:DatabaseInstance", "orders", {}),
        _resource("random:index/randomPassword:RandomPassword", "pw", {}),
        _resource("aws:kms/key:Key", "k", {}),
    ]), "test"))
    assert [r.name for r in plan.unchecked] == ["orders"]
    assert [r.name for r in plan.skipped_inert] == ["pw"]
    assert list(plan.resources) == ["aws_kms_key.k"]
