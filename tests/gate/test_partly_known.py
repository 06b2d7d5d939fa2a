"""Values only partly known at plan time: a policy document computed with `Output.json_dumps`
around a data source's ARN is kept, placeholders and all, so checkov reads what is known of it
(its `Principal: "*"` statement fails at the policy's line); a pass resting on it says
"unknown at plan time". A value `pulumi preview` leaves unknown is listed the same way, never
dropped. Programs and previews written here; the real planner, translator and checkov."""

from __future__ import annotations

import json
from pathlib import Path

from trustctl.gate.references import UNKNOWN
from trustctl.gate.run import check
from trustctl.gate.sources import from_preview, from_program
from trustctl.gate.translate import translate
from trustctl.report.render import to_table

PROGRAM = """\
import pulumi
import pulumi_aws as aws

site = aws.s3.Bucket("site")
uploader = aws.iam.get_role(name="uploader")
objects = pulumi.Output.format("arn:aws:s3:::{0}/*", site.id)
aws.s3.BucketPolicy("public-read", bucket=site.id, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": [objects]},
        {"Effect": "Allow", "Principal": {"AWS": uploader.arn}, "Action": ["s3:PutObject"],
         "Resource": [objects]}]}))
aws.iam.Policy("reader", policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [uploader.arn]}]}))
"""
ROLE_ARN = "data source aws:iam/getRole:getRole .arn"


def _program(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: partly\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    return tmp_path


def _line(text: str) -> int:
    return PROGRAM.splitlines().index(next(x for x in PROGRAM.splitlines() if text in x)) + 1


def test_a_document_around_a_placeholder_is_kept_and_its_origin_named(tmp_path: Path) -> None:
    plan = translate(from_program(_program(tmp_path), "prod"))
    values = {r["address"]: r["values"] for r in
              plan.document["planned_values"]["root_module"]["resources"]}
    document = json.loads(values["aws_s3_bucket_policy.public-read"]["policy"])
    public, uploads = document["Statement"]
    assert public["Principal"] == "*" and public["Resource"] == ["arn:aws:s3:::site/*"]
    assert uploads["Principal"] == {"AWS": f"(unknown at plan time: {ROLE_ARN})"}
    assert plan.partly_known["aws_s3_bucket_policy.public-read"] == {"policy": ROLE_ARN}
    assert plan.unknowns["aws_s3_bucket_policy.public-read"] == {}


def test_its_public_statement_fails_at_its_line_and_a_pass_resting_on_it_says_so(
        tmp_path: Path) -> None:
    report = check(from_program(_program(tmp_path), "prod"))
    [public] = [a for a in report.advisories if a.check_id == "CKV_AWS_70"]
    line = _line('aws.s3.BucketPolicy("public-read"')
    assert (public.resource, public.file, public.line) == ("public-read", "__main__.py", line)
    # the text report locates an advisory as JSON and SARIF do
    assert f"\n  CKV_AWS_70  public-read  __main__.py:{line}\n" in to_table(report)
    staff = next(c for c in report.controls if c.id == "STAFF-ACCESS")
    [admin] = [f for f in staff.findings if f.check_id == "CKV_AWS_62"]
    assert (admin.resource, admin.line) == ("reader", _line('aws.iam.Policy("reader"'))
    assert admin.message.endswith(f"unknown at plan time (policy from {ROLE_ARN})")
    assert staff.status == "error"  # not claimed as a pass, not a failure either


def _preview(tmp_path: Path) -> Path:
    """An admin security group whose CIDR is another stack's output: unknown in the preview."""
    network = "urn:pulumi:dev::shop::pulumi:pulumi:StackReference::acme/network/prod"
    group = "urn:pulumi:dev::shop::aws:ec2/securityGroup:SecurityGroup::admin"
    steps = [
        {"op": "create", "urn": group, "newState": {
            "urn": group, "type": "aws:ec2/securityGroup:SecurityGroup", "custom": True,
            "inputs": {"description": "admin", "ingress": [
                {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [UNKNOWN],
                 "description": "office ssh"}]},
            "propertyDependencies": {"ingress": [network]},
            "sourcePosition": "project:///index.py#5,1"}},
    ]
    path = tmp_path / "preview.json"
    path.write_text(json.dumps({"steps": steps}))
    return path


def test_a_value_the_preview_leaves_unknown_is_named_not_dropped(tmp_path: Path) -> None:
    declared = from_preview(_preview(tmp_path))
    [group] = [r for r in declared.plan.resources if r.name == "admin"]
    assert group.unknowns == {
        "ingress.0.cidrBlocks.0": "an output of acme/network/prod unknown until `pulumi up`"}
    network = next(c for c in check(declared).controls if c.id == "PRIVATE-NETWORK")
    [ssh] = [f for f in network.findings if f.check_id == "CKV_AWS_24"]
    assert ssh.resource == "admin" and ssh.line == 5
    assert ssh.message.endswith(
        "unknown at plan time (ingress.cidr_blocks from an output of acme/network/prod unknown "
        "until `pulumi up`)")
    # said in words, and marked on the finding: the pack reads the mark, never the words
    assert ssh.unknown_from == ("ingress.cidr_blocks from an output of acme/network/prod "
                                "unknown until `pulumi up`")


SHARED = """\
import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("acme/network/prod")
site = aws.s3.Bucket("site")
aws.s3.BucketPolicy("shared", bucket=site.id, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
                   "Resource": [network.get_output("logsBucketArn")]}]}))
"""


def test_a_document_built_from_another_stacks_output_is_computed_around_it(
        tmp_path: Path) -> None:
    """The SDK answers an output of a stack not given with --stack-outputs as unknown and runs
    no `.apply` over it; the planner answers a placeholder naming the stack and the output."""
    (tmp_path / "Pulumi.yaml").write_text("name: shared\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(SHARED)
    declared = from_program(tmp_path, "prod")
    assert declared.plan.unknown_stacks == ["acme/network/prod"]  # still warned about
    origin = ("an output of stack acme/network/prod, logsBucketArn: give it with "
              "--stack-outputs acme/network/prod=FILE")
    plan = translate(declared)
    assert plan.partly_known["aws_s3_bucket_policy.shared"] == {"policy": origin}
    [public] = [a for a in check(declared).advisories if a.check_id == "CKV_AWS_70"]
    assert (public.resource, public.line) == ("shared", 6)
