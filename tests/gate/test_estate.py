"""One stack is not the whole estate: stacks say which controls they own (`trustctl:controls`),
controls kept elsewhere are not_applicable naming their owner, and several inputs are judged
as one, with what a control requires looked for in their union. All inputs go through one
real checkov run."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from gate_support import GATE_TESTS, TODAY
from typer.testing import CliRunner

from trustctl.cli import app
from trustctl.errors import InputError
from trustctl.gate.estate import union
from trustctl.gate.ownership import Ownership, owners_elsewhere, parse_ownership
from trustctl.gate.roles import neighbours
from trustctl.gate.run import CheckedInputs, check_inputs
from trustctl.gate.sources import from_preview, from_program, gather, programs_and_stacks
from trustctl.report.results import Status
from trustctl.roles.rules import Role

AWS = GATE_TESTS / "programs" / "estate-aws"
EDGE = GATE_TESTS / "programs" / "estate-edge"
EDGE_CONTROLS = ("TLS-MIN", "HSTS", "CT-MONITOR", "WAF", "AUTH-RATE-LIMIT", "CSP-SRI")
INPUTS = {"aws:alone": (AWS, "alone"), "aws:split": (AWS, "split"),
          "aws:estate": (AWS, "estate"), "edge:alone": (EDGE, "alone"),
          "edge:estate": (EDGE, "estate"), "edge:disowned-weak": (EDGE, "disowned-weak")}
KNOWN = ("TLS-MIN", "HSTS", "ENC-AT-REST", "WAF")


@pytest.fixture(scope="module")
def estate() -> CheckedInputs:
    inputs = [from_program(program, stack) for program, stack in INPUTS.values()]
    return check_inputs(inputs, today=TODAY)


def _report(estate: CheckedInputs, *names: str) -> dict[str, tuple[Status, str | None]]:
    report = estate.estate([list(INPUTS).index(n) for n in names])
    return {c.id: (c.status, c.owned_by) for c in report.controls}


def test_a_stack_without_the_edge_fails_the_edge_when_it_claims_the_whole_estate(
        estate: CheckedInputs) -> None:
    controls = _report(estate, "aws:alone")
    assert {c: controls[c][0] for c in EDGE_CONTROLS} == dict.fromkeys(EDGE_CONTROLS, Status.FAIL)


def test_edge_controls_kept_elsewhere_are_not_applicable_naming_their_owner(
        estate: CheckedInputs) -> None:
    controls = _report(estate, "aws:split")
    assert {c: controls[c] for c in EDGE_CONTROLS} == dict.fromkeys(
        EDGE_CONTROLS, (Status.NOT_APPLICABLE, "acme/edge/prod"))
    assert controls["ENC-AT-REST"] == (Status.PASS, None)
    assert controls["BACKUP-KEY-SEPARATE"] == (Status.NOT_APPLICABLE, "another stack")
    assert all(status != Status.FAIL for status, _ in controls.values())


@pytest.mark.parametrize(("alone", "lacking"), [("aws:estate", "TLS-MIN"),
                                                ("edge:estate", "ENC-AT-REST")])
def test_each_half_alone_lacks_what_the_other_declares(estate: CheckedInputs, alone: str,
                                                       lacking: str) -> None:
    report = estate.estate([list(INPUTS).index(alone)])
    control = next(c for c in report.controls if c.id == lacking)
    assert control.status == Status.FAIL
    assert all(f.message.startswith("required resource missing") for f in control.findings)


def test_the_union_of_both_halves_passes(estate: CheckedInputs) -> None:
    controls = _report(estate, "aws:estate", "edge:estate")
    assert {c: controls[c][0] for c in ("ENC-AT-REST", "TLS-MIN", "HSTS")} == dict.fromkeys(
        ("ENC-AT-REST", "TLS-MIN", "HSTS"), Status.PASS)
    assert all(status != Status.FAIL for status, _ in controls.values())


def test_disowning_a_control_never_hides_a_finding(estate: CheckedInputs) -> None:
    report = estate.estate([list(INPUTS).index("edge:disowned-weak")])
    tls = next(c for c in report.controls if c.id == "TLS-MIN")
    assert (tls.status, tls.owned_by) == (Status.FAIL, "acme/edge/prod")
    assert [f.check_id for f in tls.findings] == ["CKV_TRUST_1"]
    hsts = next(c for c in report.controls if c.id == "HSTS")
    assert hsts.status == Status.NOT_APPLICABLE  # its setting is declared and right


def test_two_stacks_may_declare_the_same_address(estate: CheckedInputs) -> None:
    report = estate.estate([list(INPUTS).index("aws:alone"), list(INPUTS).index("aws:split")])
    assert report.checked == 2 * estate.estate([1]).checked


def test_ownership_is_read_from_a_preview_config(tmp_path: Path) -> None:
    preview = tmp_path / "preview.json"
    preview.write_text(json.dumps({"config": {"trustctl:controls": json.dumps(
        {"owns": ["ENC-AT-REST"]})}, "steps": []}))
    assert json.loads(from_preview(preview).ownership) == {"owns": ["ENC-AT-REST"]}


@pytest.mark.parametrize(("value", "error"), [
    ({"owns": ["TLS-MAX"]}, "unknown control id(s) TLS-MAX"),
    ({"owns": "TLS-MIN"}, "not a list of control ids"),
    ({"owns": ["TLS-MIN"], "ownedBy": {"edge": ["TLS-MIN"]}}, "gives TLS-MIN two owners"),
    ({"own": ["TLS-MIN"]}, "takes `owns"),
    ("{not json", "is not a mapping"),
])
def test_a_bad_ownership_declaration_is_refused(value: object, error: str) -> None:
    with pytest.raises(InputError, match=r"Pulumi\.x\.yaml: trustctl:controls") as raised:
        parse_ownership(value, "Pulumi.x.yaml", KNOWN)
    assert error in str(raised.value)


def test_owners_elsewhere_names_every_owner_and_skips_owned_controls() -> None:
    aws = parse_ownership({"owns": ["ENC-AT-REST"], "ownedBy": {"edge": ["TLS-MIN"]}}, "a", KNOWN)
    other = parse_ownership({"ownedBy": {"cdn": ["TLS-MIN"], "waf": ["WAF"]}}, "b", KNOWN)
    assert owners_elsewhere([aws, other], KNOWN) == {"TLS-MIN": "cdn, edge", "WAF": "waf"}
    assert owners_elsewhere([aws], KNOWN) == {"TLS-MIN": "edge", "HSTS": "another stack",
                                              "WAF": "another stack"}
    assert owners_elsewhere([Ownership()], KNOWN) == {}


def test_no_stack_disowns_a_control_judged_on_the_repository() -> None:
    known = (*KNOWN, "CHANGE-CONTROL")
    kept = parse_ownership({"owns": ["ENC-AT-REST"]}, "a", known, ["CHANGE-CONTROL"])
    assert kept.owns_control("CHANGE-CONTROL") and not kept.owns_control("TLS-MIN")
    assert "CHANGE-CONTROL" not in owners_elsewhere([kept], known)
    with pytest.raises(InputError) as refused:
        parse_ownership({"ownedBy": {"acme/edge/prod": ["CHANGE-CONTROL"]}}, "Pulumi.x.yaml",
                        known, ["CHANGE-CONTROL"])
    assert str(refused.value) == (
        "Pulumi.x.yaml: trustctl:controls.ownedBy.acme/edge/prod names CHANGE-CONTROL, which no "
        "stack can disown: it is judged on the repository (its workflows, CODEOWNERS and the "
        "gate's policy)")


def test_programs_pair_with_stacks() -> None:
    a, b = Path("a"), Path("b")
    assert programs_and_stacks([a, b], ["prod"]) == [(a, "prod"), (b, "prod")]
    assert programs_and_stacks([a, b], ["x", "y"]) == [(a, "x"), (b, "y")]
    assert programs_and_stacks([a], ["x", "y"]) == [(a, "x"), (a, "y")]
    with pytest.raises(InputError, match="2 --program and 3 --stack"):
        programs_and_stacks([a, b], ["x", "y", "z"])


def test_gather_reads_files_before_planning(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--state"):
        gather([GATE_TESTS / "programs" / "raises"], ["test"], [], [tmp_path / "none.json"])


def test_the_cli_judges_two_programs_as_one_estate(tmp_path: Path) -> None:
    args = ["gate", "--program", str(AWS), "--program", str(EDGE), "--stack", "estate",
            "--format", "json", "--evidence-dir", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    statuses = {c["id"]: c["status"] for c in doc["controls"]}
    assert statuses["TLS-MIN"] == statuses["ENC-AT-REST"] == "pass"
    owners = {c["id"]: c.get("owned_by") for c in doc["controls"]}
    assert (owners["WAF"], owners["TLS-MIN"]) == ("another stack", None)
    assert "estate-aws" in doc["origin"] and "estate-edge" in doc["origin"]


def test_the_estate_plan_keeps_each_stack_s_references_and_roles(estate: CheckedInputs) -> None:
    one, two = list(INPUTS).index("aws:alone"), list(INPUTS).index("aws:split")
    keyed = dataclasses.replace(estate.plans[two], roles={
        "aws_kms_key.data-key": Role("trustctl:purpose", "backup", False, "a vault uses it")})
    plan, _ = union([estate.plans[one], keyed], [[], []])
    sse = next(a for a in plan.resources if a.startswith("2/aws_s3_bucket_server_side"))
    assert neighbours(plan.document, sse) == ["2/aws_kms_key.data-key", "2/aws_s3_bucket.files"]
    assert list(plan.roles) == ["2/aws_kms_key.data-key"]
