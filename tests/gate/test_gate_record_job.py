"""The gate's record after a merge: `gate-record.yml` gates main on every push to it and
delivers the signed record to the evidence bucket as the evidence role, like every scheduled job;
the pull request job (`gate.yml`) never holds a token (the pull request's program runs there);
the infra grants the evidence role what the job does; the program the gate plans sees none of the
job's credentials.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from trustctl.paths import REPO_ROOT
from trustctl.plan import plan_program
from trustctl.plan.isolated import plan_isolated

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def test_the_pull_request_job_holds_no_token_and_the_record_job_runs_after_merge_only() -> None:
    gate = _workflow("gate.yml")
    assert "pull_request" in gate["on"] and gate["permissions"] == {"contents": "read"}
    [pull_request] = gate["jobs"].values()
    assert "id-token" not in pull_request["permissions"] and "environment" not in pull_request
    assert not [s for s in pull_request["steps"]
                if "aws" in s.get("uses", "") or "job-record" in s.get("uses", "")]
    doc = _workflow("gate-record.yml")
    assert doc["on"] == {"push": {"branches": ["main"]}} and doc["permissions"] == {}
    record = doc["jobs"]["record"]
    assert "if" not in record  # a gate nothing can skip (CKV_TRUST_65)
    assert record["environment"] == "production"  # the roles trust this environment only
    assert record["permissions"] == {"contents": "read", "id-token": "write"}


def test_the_record_job_signs_with_the_evidence_key_and_delivers_as_the_evidence_role() -> None:
    record = _workflow("gate-record.yml")["jobs"]["record"]
    assert record["env"] == {
        "TRUSTCTL_EVIDENCE_DIR": "evidence",
        "TRUSTCTL_EVIDENCE_SIGNING_KEY": "${{ vars.EVIDENCE_SIGNING_KEY_ARN }}"}
    steps = record["steps"]
    [assume] = [i for i, s in enumerate(steps)
                if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert steps[assume]["with"]["role-to-assume"] == "${{ vars.EVIDENCE_ROLE_ARN }}"
    [command] = [i for i, s in enumerate(steps) if s.get("id") == "command"]
    assert assume < command  # the record is signed when the gate writes it
    assert steps[command]["run"] == "python3 -m uv run --frozen trustctl gate"
    deliver = steps[-1]
    assert (deliver["uses"], deliver["if"]) == ("./.github/actions/job-record", "always()")
    assert deliver["with"] == {
        "kind": "gate", "outcome": "${{ steps.command.outcome }}",
        # main failing its gate (or not gated at all) is a change-control finding
        "controls": "CHANGE-CONTROL",
        "evidence-role": "${{ vars.EVIDENCE_ROLE_ARN }}",
        "evidence-bucket": "${{ vars.EVIDENCE_BUCKET }}", "aws-region": "${{ vars.AWS_REGION }}"}


def _statements(policy: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_the_infra_lets_the_evidence_role_sign_and_add_the_gate_record() -> None:
    plan = plan_program(REPO_ROOT, "prod")
    by_name = {(r.type, r.name): r for r in plan.resources}
    role = by_name[("aws:iam/role:Role", "jobs-evidence")]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Condition"]["StringEquals"][
        "token.actions.githubusercontent.com:sub"].endswith(":environment:production")
    attached = by_name[("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "jobs-evidence")]
    assert attached.inputs["role"] == role.inputs["name"]
    granted = _statements(by_name[("aws:iam/policy:Policy", "jobs-evidence")].inputs["policy"])
    sign = granted["SignRecordsWithEvidenceKey"]
    assert sign["Action"] == ["kms:Sign", "kms:GetPublicKey"]
    assert sign["Resource"].endswith(":key/evidence-signing")  # the evidence signing key's ARN
    add = granted["AddRecordsAndReports"]
    assert add["Action"] == ["s3:PutObject"]
    assert any(r.endswith("/records/*") for r in add["Resource"])
    # the records are encrypted under the evidence bucket's key, which S3 uses for the role
    assert "kms:GenerateDataKey" in granted["S3EncryptsEvidence"]["Action"]


PROGRAM = """
import os
import pulumi_aws as aws

aws.s3.Bucket("seen", tags={k: "set" for k in os.environ})
"""


def test_the_planned_program_sees_no_credentials_or_oidc_token_request(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: nosy\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    held = {"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t",
            "AWS_SESSION_TOKEN": "t0ken", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://x",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t0ken", "GITHUB_TOKEN": "ghs_x",
            "TRUSTCTL_EVIDENCE_SIGNING_KEY": "alias/x", "AWS_REGION": "eu-west-1"}
    for name, value in held.items():
        monkeypatch.setenv(name, value)
    [bucket] = plan_isolated(tmp_path, "prod").resources
    seen = set(bucket.inputs["tags"])
    assert "AWS_REGION" in seen and "PATH" in seen  # the program still runs as Python does
    assert seen & (set(held) - {"AWS_REGION"}) == set()
