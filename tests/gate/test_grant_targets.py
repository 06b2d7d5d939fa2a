"""A grant that points at nothing (trustctl/gate/grant_targets.py): a policy spelling the ARN of
a bucket Pulumi names at `pulumi up` fails STAFF-ACCESS at the policy's line; granting the
bucket's `.arn` passes; the same for KMS keys and aliases; the infra's grants all resolve.
Small programs written here, the real planner and translator; the CLI test runs checkov for
real."""

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


KEYS = """
import json
import pulumi_aws as aws

backup = aws.kms.Key("backup-key", enable_key_rotation=True)
aws.kms.Alias("backup-alias", name="alias/claver-backup", target_key_id=backup.key_id)
aws.iam.Policy("wrapper", policy={grant})
"""
KMS_ARN = "arn:aws:kms:us-east-1:123456789012:"


def _kms_policy(*resources: str) -> str:
    return f"""json.dumps({{"Version": "2012-10-17", "Statement": [
    {{"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": {list(resources)!r}}}]}})"""


def _keys(tmp_path: Path, grant: str) -> list[tuple[bool, tuple[str, ...]]]:
    (tmp_path / "Pulumi.yaml").write_text("name: keys\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(KEYS.format(grant=grant))
    return _results(from_program(tmp_path, "prod"))


def test_a_literal_key_arn_or_a_misspelt_alias_is_a_finding(tmp_path: Path) -> None:
    # the key's ARN spelt by hand reads like the plan's synthesized one: only the missing
    # dependency on the key tells them apart
    [(passed, details)] = _keys(tmp_path, _kms_policy(
        f"{KMS_ARN}key/backup-key", f"{KMS_ARN}alias/claver-backups",
        f"{KMS_ARN}key/1234abcd-12ab-34cd-56ef-1234567890ab"))  # an existing key's id: no finding
    assert not passed
    assert details == (
        "grants key key/backup-key, which no declared key will be named: backup-key is given "
        "its key id by AWS at `pulumi up`; grant the key's `.arn` instead",
        "grants alias alias/claver-backups, which no declared alias will be named: "
        "alias/claver-backup is named otherwise; name the alias exactly, or grant the key's "
        "`.arn`")


def test_the_keys_arn_or_its_exact_alias_passes(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    reference = _kms_policy("ARN").replace("'ARN'", "arn")
    assert _keys(tmp_path / "reference", f"backup.arn.apply(lambda arn: {reference})") == [
        (True, ())]
    assert _keys(tmp_path, _kms_policy(f"{KMS_ARN}alias/claver-backup")) == [(True, ())]
