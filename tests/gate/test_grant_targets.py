"""A grant that points at nothing (trustctl/gate/grant_targets.py): a policy spelling the ARN of
a bucket Pulumi names at `pulumi up` fails STAFF-ACCESS at the policy's line; granting the
bucket's `.arn` passes; the infra's grants all resolve. Small programs written here, the real
planner and translator; the CLI test runs checkov for real."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from trustctl.cli import app
from trustctl.gate.grant_targets import CHECK_ID, grant_target_results
from trustctl.gate.sources import Declared, from_program
from trustctl.gate.translate import translate
from trustctl.paths import REPO_ROOT

PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

records = aws.s3.Bucket("claver-prod-evidence", bucket_prefix="claver-prod-evidence-")
named = aws.s3.Bucket("fixed", bucket="claver-fixed-name")
{grant}
"""
LITERAL = """aws.iam.Policy("writer", policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:PutObject",
     "Resource": ["arn:aws:s3:::claver-prod-evidence/records/*",
                  "arn:aws:s3:::claver-fixed-name/*"]}]}))"""
REFERENCE = """aws.iam.Policy("writer", policy=records.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{arn}/records/*"}]})))"""


def _program(tmp_path: Path, grant: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: grants\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(PROGRAM.format(grant=grant)))
    return tmp_path


def _results(declared: Declared) -> list[tuple[bool, tuple[str, ...]]]:
    plan = translate(declared)
    return [(r.passed, r.details) for r in grant_target_results(plan)]


def test_a_literal_arn_of_a_bucket_named_at_pulumi_up_is_a_finding(tmp_path: Path) -> None:
    [(passed, details)] = _results(from_program(_program(tmp_path, LITERAL), "prod"))
    assert not passed
    assert details == (
        "grants bucket claver-prod-evidence, which no declared bucket will be named: "
        "claver-prod-evidence gets its name at `pulumi up` (bucket_prefix or auto-naming); "
        "grant its `.arn` instead",)


def test_granting_the_buckets_arn_passes(tmp_path: Path) -> None:
    assert _results(from_program(_program(tmp_path, REFERENCE), "prod")) == [(True, ())]


def test_every_grant_of_the_infra_resolves_to_a_declared_bucket() -> None:
    results = _results(from_program(REPO_ROOT, "prod"))
    assert len(results) >= 4 and all(passed for passed, _ in results), results


def test_the_gate_fails_staff_access_at_the_grants_line(tmp_path: Path) -> None:
    program = _program(tmp_path, LITERAL)
    line = (program / "__main__.py").read_text().splitlines().index(
        LITERAL.splitlines()[0]) + 1
    result = CliRunner().invoke(app, ["gate", "--program", str(program), "--format", "json",
                                      "--evidence-dir", str(tmp_path / "evidence")])
    assert result.exit_code == 1, result.output
    control = next(c for c in json.loads(result.stdout)["controls"] if c["id"] == "STAFF-ACCESS")
    [finding] = [f for f in control["findings"] if f["check_id"] == CHECK_ID]
    assert (finding["resource"], finding["file"], finding["line"]) == (
        "writer", "__main__.py", line)
    assert "grants bucket claver-prod-evidence" in finding["message"]
