"""A policy document built from one resource's output (`Output.json_dumps`, `.apply`) reaches
checkov as the document, not as a reference to that resource: a public bucket policy, as
pulumi/examples' aws-py-s3-folder writes it, is seen, with its resource and line in the text
report's advisories. A program written here; checkov runs for real."""

from __future__ import annotations

import textwrap
from pathlib import Path

from typer.testing import CliRunner

from trustctl.cli import app

PROGRAM = """
import pulumi
import pulumi_aws as aws

site = aws.s3.BucketV2("site")


def public_read(name):
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
        "Resource": [pulumi.Output.format("arn:aws:s3:::{0}/*", name)]}]})


aws.s3.BucketPolicy("site-policy", bucket=site.id, policy=public_read(site.id))
"""


def test_a_public_bucket_policy_built_with_json_dumps_is_checked_at_its_line(
        tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: site\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    line = textwrap.dedent(PROGRAM).splitlines().index(
        'aws.s3.BucketPolicy("site-policy", bucket=site.id, policy=public_read(site.id))') + 1
    result = CliRunner().invoke(app, ["gate", "--program", str(tmp_path),
                                      "--evidence-dir", str(tmp_path / "evidence")])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    at = lines.index(f"  CKV_AWS_70  site-policy  __main__.py:{line}")
    assert lines[at + 1].strip().startswith("Ensure S3 bucket does not allow an action with any "
                                            "Principal")
