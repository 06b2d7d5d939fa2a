"""The planner on a corpus of small programs, one per construct real programs use.

Each program under programs/ was written for these tests (in the style of pulumi/examples and
pulumi/templates); each test asserts the resources planned, their inputs and the line that
declared them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from trustctl.errors import InputError
from trustctl.plan import Plan, PlannedResource, plan_program

PROGRAMS = Path(__file__).parent / "programs"


@cache
def _plan(program: str) -> Plan:
    return plan_program(PROGRAMS / program, "test")


def _one(program: str, type_token: str, name: str) -> PlannedResource:
    [resource] = [r for r in _plan(program).of_type(type_token) if r.name == name]
    return resource


def _declared_at(program: str, resource: PlannedResource, text: str) -> None:
    """The resource's source line is the program line that declares it."""
    assert resource.source is not None
    lines = (PROGRAMS / program / resource.source.file).read_text().splitlines()
    assert text in lines[resource.source.line - 1]


def test_a_resource_given_for_its_id_is_sent_as_its_id_and_stays_a_dependency() -> None:
    role = _one("resource-as-input", "aws:iam/role:Role", "worker")
    policy = _one("resource-as-input", "aws:iam/rolePolicy:RolePolicy", "worker-logs")
    permission = _one("resource-as-input", "aws:lambda/permission:Permission", "invoke")
    assert policy.inputs["role"] == "worker"  # an IAM role's id is its name
    assert policy.property_dependencies["role"] == [role.urn]
    assert permission.inputs["function"] == "handler"
    _declared_at("resource-as-input", policy, 'aws.iam.RolePolicy("worker-logs"')
    _declared_at("resource-as-input", permission, 'aws.lambda_.Permission("invoke"')


def test_get_policy_document_is_computed_for_real() -> None:
    role = _one("data-sources", "aws:iam/role:Role", "web")
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"Service": "ec2.amazonaws.com"}}]}
    assert role.unknowns == {}
    policy = _one("data-sources", "aws:s3/bucketPolicy:BucketPolicy", "deny-insecure")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    assert statements[1] == {
        "Sid": "DenyInsecure", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
        "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert statements[0]["Principal"] == {"Service": "ec2.amazonaws.com"}  # the source document


def test_data_sources_answer_in_their_result_shape_and_say_they_are_unknown() -> None:
    instance = _one("data-sources", "aws:ec2/instance:Instance", "web")
    assert instance.unknowns == {"ami": "data source aws:ec2/getAmi:getAmi .id",
                                 "subnetId": "data source aws:ec2/getSubnets:getSubnets .ids.0"}
    assert instance.inputs["ami"].startswith("(unknown at plan time: data source")
    # arguments given to a data source come back as given; config-derived answers are real
    assert instance.inputs["tags"] == {"zone": "example.com", "account": "123456789012",
                                       "default-vpc": "True"}
    _declared_at("data-sources", instance, 'aws.ec2.Instance("web"')


def test_computed_outputs_have_the_sdk_shape() -> None:
    secret = _one("typed-outputs", "aws:secretsmanager/secret:Secret", "kubeconfig")
    kubeconfig = json.loads(secret.inputs["description"])
    assert kubeconfig["clusters"][0]["cluster"] == {
        "server": "k8s-endpoint", "certificate-authority-data": "k8s-certificateAuthority.data"}
    record = _one("typed-outputs", "aws:route53/record:Record", "site-validation")
    certificate = _one("typed-outputs", "aws:acm/certificate:Certificate", "site")
    assert record.inputs["name"] == "site-domainValidationOptions.0.resourceRecordName"
    assert record.inputs["records"] == ["site-domainValidationOptions.0.resourceRecordValue"]
    assert record.property_dependencies["name"] == [certificate.urn]
    group = _one("typed-outputs", "aws:ec2/securityGroup:SecurityGroup", "db-port")
    assert group.inputs["ingress"][0]["fromPort"] == 1  # a number, never zero
    assert group.inputs["tags"] == {"multi-az": "no"}  # a boolean
    _declared_at("typed-outputs", record, 'aws.route53.Record("site-validation"')


def test_stack_outputs_without_a_file_are_unknown_and_name_the_stack() -> None:
    group = _one("stack-reference", "aws:ec2/securityGroup:SecurityGroup", "app")
    def where(name: str) -> str:
        return (f"an output of stack acme/network/prod, {name}: "
                "give it with --stack-outputs acme/network/prod=FILE")
    assert group.unknowns == {"vpcId": where("vpcId"),
                              "ingress.0.cidrBlocks.0": where("adminCidr")}
    # a placeholder, not the SDK's unknown: what the program computes from it is computed
    assert group.inputs["vpcId"] == f"(unknown at plan time: {where('vpcId')})"
    assert _plan("stack-reference").unknown_stacks == ["acme/network/prod"]
    _declared_at("stack-reference", group, 'aws.ec2.SecurityGroup("app"')


def test_stack_outputs_come_from_the_file_given() -> None:
    outputs = {"vpcId": "vpc-0123", "adminCidr": "203.0.113.0/24"}
    plan = plan_program(PROGRAMS / "stack-reference", "test",
                        stack_outputs={"acme/network/prod": outputs})
    [group] = plan.resources
    assert plan.unknown_stacks == []
    assert group.inputs["vpcId"] == "vpc-0123"
    assert group.inputs["ingress"][0]["cidrBlocks"] == ["203.0.113.0/24"]
    assert group.unknowns == {}


def test_a_required_stack_output_missing_from_the_file_is_the_program_s_error() -> None:
    with pytest.raises(InputError, match="program raised KeyError: 'vpcId'"):
        plan_program(PROGRAMS / "stack-reference", "test",
                     stack_outputs={"acme/network/prod": {"adminCidr": "10.0.0.0/8"}})


def test_a_failed_plan_leaves_nothing_for_the_next_plan_in_the_process() -> None:
    """The SDK keeps a failed program's outputs process-wide; the next plan must not raise them."""
    with pytest.raises(InputError, match="KeyError: 'vpcId'"):
        plan_program(PROGRAMS / "stack-reference", "test",
                     stack_outputs={"acme/network/prod": {"adminCidr": "10.0.0.0/8"}})
    assert plan_program(PROGRAMS / "preview-mode", "test").resources


def test_planning_is_a_preview() -> None:
    assert _one("preview-mode", "aws:s3/bucket:Bucket", "logs").inputs["tags"] == {
        "dry-run": "True"}


def test_components_of_another_package_parent_their_children() -> None:
    plan = _plan("components")
    vpc = _one("components", "acme:network:Vpc", "core")
    subnets = _one("components", "acme:network:Subnets", "core-private")
    subnet = _one("components", "aws:ec2/subnet:Subnet", "core-private-1")
    assert (vpc.custom, subnets.parent, subnet.parent) == (False, vpc.urn, subnets.urn)
    assert subnet.urn.endswith("acme:network:Vpc$acme:network:Subnets$aws:ec2/subnet:Subnet"
                               "::core-private-1")
    assert subnet.inputs == {"vpcId": "core-vpc", "cidrBlock": "10.1.2.0/24"}
    assert subnet.source is not None and subnet.source.file == "acme_network/__init__.py"
    _declared_at("components", subnet, "aws.ec2.Subnet(")
    assert [r.name for r in plan.resources][:2] == ["core", "core-vpc"]  # parents first


def test_apply_chains_all_concat_format_and_json_dumps_resolve() -> None:
    policy = _one("outputs", "aws:iam/policy:Policy", "read-data")
    assert policy.inputs["tags"] == {"domain": "DATA.example", "concat": "s3://data",
                                     "format": "data@data-keyId"}
    statements = json.loads(policy.inputs["policy"])["Statement"]
    assert [s["Resource"] for s in statements] == [
        "arn:aws:s3:::data/*", "arn:aws:kms:eu-west-1:123456789012:key/data"]
    listed = _one("outputs", "aws:iam/policy:Policy", "read-data-json")
    assert json.loads(listed.inputs["policy"])["Statement"][0]["Resource"] == "arn:aws:s3:::data"
    bucket = _one("outputs", "aws:s3/bucket:Bucket", "data")
    assert bucket.urn in policy.dependencies and bucket.urn in listed.dependencies


def test_get_of_an_existing_resource_knows_its_id_only() -> None:
    group = _one("existing", "aws:ec2/securityGroup:SecurityGroup", "app")
    assert group.inputs["vpcId"] == "vpc-0abc123"
    assert group.unknowns == {
        "ingress.0.cidrBlocks.0": "existing aws:ec2/vpc:Vpc vpc-0abc123 .cidrBlock"}
    assert [r.name for r in _plan("existing").resources] == ["app"]  # a read declares nothing


def test_resource_options_depends_on_aliases_providers_and_import() -> None:
    site = _one("options", "aws:s3/bucket:Bucket", "site")
    logs = _one("options", "aws:s3/bucket:Bucket", "logs")
    key = _one("options", "aws:kms/key:Key", "edge-key")
    assert logs.urn in site.dependencies and key.urn in site.dependencies
    # the key's provider is in us-east-1, the stack in eu-west-1
    assert site.inputs["tags"] == {"key": "arn:aws:kms:us-east-1:123456789012:key/edge-key"}
    assert logs.urn == "urn:pulumi:test::options::aws:s3/bucket:Bucket::logs"  # new name
    assert {r.name for r in _plan("options").of_type("aws:s3/bucket:Bucket")} == {
        "logs", "site", "legacy"}
    _declared_at("options", key, 'aws.kms.Key("edge-key"')


def test_transformations_transforms_and_stack_transforms_all_apply() -> None:
    bucket = _one("transforms", "aws:s3/bucket:Bucket", "tagged")
    volume = _one("transforms", "aws:ebs/volume:Volume", "data")
    assert bucket.inputs["tags"] == {"owner": "platform", "cost-centre": "42"}
    assert volume.inputs["encrypted"] is True
    assert volume.inputs["tags"] == {"cost-centre": "42"}
    _declared_at("transforms", volume, 'aws.ebs.Volume("data"')


@pytest.mark.parametrize(("program", "expected"), [
    ("exits", "__main__.py:8: program exited with status 3"),
    ("syntax-error", "helper.py:3: program raised SyntaxError: '(' was never closed"),
])
def test_a_program_that_stops_is_one_line_with_its_file_and_line(program: str,
                                                                 expected: str) -> None:
    with pytest.raises(InputError) as caught:
        plan_program(PROGRAMS / program, "test")
    assert str(caught.value) == expected


def _trustctl(*args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process: a stopped program leaves the runtime unusable after it."""
    return subprocess.run([sys.executable, "-m", "trustctl.cli", *args], cwd=PROGRAMS,
                          capture_output=True, text=True, timeout=120)


STALLED = "a resource still waits for an input that never resolved"


@pytest.mark.parametrize(("command", "program", "seconds", "line"), [
    # long enough for the program's own code to return under load: the stall is then named
    ("plan", "never-resolves", "8",
     rf"__main__\.py:9: program did not finish within 8 s \(--timeout\): {STALLED}"),
    ("plan", "loops-forever", "2",
     r"__main__\.py:(8|9|10): program did not finish within 2 s \(--timeout\)"),
    # the first alarm is lost (asyncio swallows one raised in a callback): the next one stops it
    ("plan", "swallows-an-alarm", "2",
     r"__main__\.py:(1[0-5]): program did not finish within 2 s \(--timeout\)"),
    # the gate words it as plan does (stopped in the program's code, or stalled after it)
    ("gate", "never-resolves", "2",
     rf"__main__\.py:9: program did not finish within 2 s \(--timeout\)(: {STALLED})?"),
])
def test_a_program_that_never_finishes_is_stopped_with_one_line(command: str, program: str,
                                                                seconds: str, line: str) -> None:
    result = _trustctl(command, "--program", program, "--stack", "test", "--timeout", seconds)
    assert result.returncode == 2
    assert result.stdout == ""
    assert re.fullmatch(f"trustctl: error: {line}\n", _without_progress(result.stderr)), \
        result.stderr


def _without_progress(stderr: str) -> str:
    """stderr without the gate's progress lines (`trustctl: gate: planning ...`)."""
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if not line.startswith("trustctl: gate: "))


def test_plan_and_gate_word_a_program_error_the_same() -> None:
    plan = _trustctl("plan", "--program", "raises", "--stack", "test")
    gate = _trustctl("gate", "--program", "raises", "--stack", "test")
    assert (plan.returncode, gate.returncode) == (2, 2)
    assert plan.stderr == _without_progress(gate.stderr) == (
        "trustctl: error: __main__.py:4: program raised ValueError: "
        "subnet cidr 10.0.0.0/33 is not a valid CIDR\n")


def test_a_thread_the_program_leaves_running_does_not_keep_plan_alive() -> None:
    result = _trustctl("plan", "--program", "leaves-a-thread", "--stack", "test")
    assert result.returncode == 0, result.stderr
    assert [r["name"] for r in json.loads(result.stdout)["resources"]] == ["served"]


def test_what_a_program_prints_stays_off_the_plan_on_stdout() -> None:
    result = _trustctl("plan", "--program", "preview-mode", "--stack", "test")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["resources"][0]["name"] == "logs"
    assert "the program prints; the plan on stdout stays JSON" in result.stderr


def test_plan_warns_that_code_on_unknown_stack_outputs_did_not_run() -> None:
    result = _trustctl("plan", "--program", "stack-reference", "--stack", "test")
    assert result.returncode == 0
    assert result.stderr.splitlines()[-1] == (
        "trustctl: warning: outputs of acme/network/prod unknown at plan time: values "
        "computed from them hold placeholders, and resources a program declares from "
        "`.outputs` (in apply) are not planned; give --stack-outputs acme/network/prod=FILE")


@pytest.mark.parametrize(("value", "reason"), [
    ("acme/network/prod", "expected NAME=outputs.json"),
    ("acme/network/prod=missing.json", "cannot read"),
    ("acme/network/prod=stack-reference/Pulumi.yaml", "not JSON"),
])
def test_bad_stack_outputs_are_one_line(value: str, reason: str) -> None:
    result = _trustctl("plan", "--program", "stack-reference", "--stack", "test",
                       "--stack-outputs", value)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and reason in result.stderr
