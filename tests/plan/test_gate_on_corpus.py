"""The gate on the planner's corpus: every construct is judged (exit 0 or 1, never "unknown type");
a value only the cloud knows is reported as unknown at plan time, never judged as real.

One real checkov run over every program (checkov's start-up is most of its cost).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trustctl.catalog import load_catalog
from trustctl.gate.checkov_runner import CheckResult
from trustctl.gate.command import gate_exit
from trustctl.gate.evaluate import evaluate
from trustctl.gate.run import check_many
from trustctl.gate.sources import Declared, from_program
from trustctl.gate.translate import translate
from trustctl.gate.unchecked import unchecked_risk
from trustctl.plan.model import Plan, PlannedResource
from trustctl.report.model import ControlReport, UncheckedResource
from trustctl.report.results import ControlResult, Status

PROGRAMS = Path(__file__).parent / "programs"
CORPUS = ("resource-as-input", "data-sources", "typed-outputs", "stack-reference", "components",
          "outputs", "existing", "options", "transforms", "preview-mode")
OPEN_ADMIN = {"vpcId": "vpc-0123", "adminCidr": "0.0.0.0/0"}


@pytest.fixture(scope="module")
def reports() -> dict[str, ControlReport]:
    inputs = {name: from_program(PROGRAMS / name, "test") for name in CORPUS}
    inputs["stack-reference+outputs"] = from_program(
        PROGRAMS / "stack-reference", "test", {"acme/network/prod": OPEN_ADMIN})
    return dict(zip(inputs, check_many(list(inputs.values())), strict=True))


@pytest.mark.parametrize("program", [*CORPUS, "stack-reference+outputs"])
def test_every_construct_is_judged(reports: dict[str, ControlReport], program: str) -> None:
    report = reports[program]
    assert report.unchecked == []
    assert report.checked > 0
    statuses = {c.status for c in report.controls}
    if program in ("stack-reference", "existing"):  # an ingress CIDR only the cloud knows
        assert Status.ERROR in statuses
    else:
        assert Status.ERROR not in statuses
        assert gate_exit(report) in ((0, None), (1, None))


def _findings(report: ControlReport, control: str, check: str) -> list[str]:
    result = next(c for c in report.controls if c.id == control)
    return [f.message for f in result.findings if f.check_id == check and f.resource == "app"]


def test_a_check_on_another_stack_s_output_is_unknown_at_plan_time(
        reports: dict[str, ControlReport]) -> None:
    [message] = _findings(reports["stack-reference"], "PRIVATE-NETWORK", "CKV_AWS_24")
    assert message.endswith(": unknown at plan time (ingress.cidr_blocks from an output "
                            "of stack acme/network/prod, adminCidr: give it with "
                            "--stack-outputs acme/network/prod=FILE)")


def test_the_same_check_judges_the_output_once_it_is_given(
        reports: dict[str, ControlReport]) -> None:
    [message] = _findings(reports["stack-reference+outputs"], "PRIVATE-NETWORK", "CKV_AWS_24")
    assert "unknown" not in message and "port 22" in message


def _unknown_cidr_plan() -> tuple[Declared, str]:
    group = PlannedResource(
        urn="urn:pulumi:t::p::aws:ec2/securityGroup:SecurityGroup::app",
        type="aws:ec2/securityGroup:SecurityGroup", name="app",
        inputs={"ingress": [{"fromPort": 22, "toPort": 22, "protocol": "tcp",
                             "cidrBlocks": ["(unknown at plan time: data source x .cidr)"]}]},
        unknowns={"ingress.0.cidrBlocks.0": "data source x .cidr"})
    return Declared(Plan([group]), "test"), "aws_security_group.app"


def _control(results: list[CheckResult]) -> ControlResult:
    declared, _ = _unknown_cidr_plan()
    report = evaluate(load_catalog(), "test", translate(declared), results, [],
                      dt.date(2026, 12, 1))
    return next(c for c in report.controls if c.id == "PRIVATE-NETWORK")


def test_unknown_values_are_left_out_of_the_plan_as_terraform_does() -> None:
    declared, address = _unknown_cidr_plan()
    plan = translate(declared)
    [planned] = plan.document["planned_values"]["root_module"]["resources"]
    [change] = plan.document["resource_changes"]
    assert planned["values"]["ingress"] == [{"from_port": 22, "to_port": 22, "protocol": "tcp",
                                             "cidr_blocks": [None]}]
    assert change["change"]["after_unknown"] == {"ingress": [{"cidr_blocks": [True]}]}
    assert plan.unknowns == {address: {"ingress.0.cidr_blocks.0": "data source x .cidr"}}


@pytest.mark.parametrize(("passed", "keys", "verdict"), [
    (True, (), "unknown"),  # a pass that names nothing may have read the placeholder
    (True, ("ingress/[0]/cidr_blocks",), "unknown"),
    (True, ("description",), "pass"),  # it looked elsewhere: a real pass
    (False, ("ingress/[0]/cidr_blocks",), "unknown"),  # it judged the placeholder
    (False, ("ingress/[0]",), "fail"),  # a failure that may be real is never hidden
    (False, (), "fail"),
])
def test_a_verdict_on_an_unknown_value_is_not_claimed(passed: bool, keys: tuple[str, ...],
                                                      verdict: str) -> None:
    result = CheckResult("CKV_AWS_24", "Ensure no security groups allow ingress to port 22",
                         passed, "aws_security_group.app", keys)
    control = _control([result])
    found = [f.message for f in control.findings if f.check_id == "CKV_AWS_24"]
    expected = {"unknown": ["Ensure no security groups allow ingress to port 22: unknown at plan "
                            "time (ingress.cidr_blocks from data source x .cidr)"],
                "pass": [], "fail": ["Ensure no security groups allow ingress to port 22 "
                                     + (f"(evaluated: {keys[0]})" if keys else "").strip()]}
    assert found == [m.strip() for m in expected[verdict]]


def test_unchecked_types_fail_closed_only_when_they_may_hold_data_or_open_paths() -> None:
    resources = [PlannedResource(urn=f"urn:pulumi:t::p::{token}::r{i}", type=token, name=f"r{i}")
                 for i, token in enumerate(["gcp:sql/databaseInstance:DatabaseInstance",
                                            "tls:index/privateKey:PrivateKey",
                                            "acme:index/widget:Widget",
                                            "aws:neverheard/thing:Thing"])]
    plan = translate(Declared(Plan(resources), "test"))
    assert [r.type.split(":")[0] for r in plan.unchecked] == ["gcp", "acme", "aws"]
    assert [r.type.split(":")[0] for r in plan.skipped_inert] == ["tls"]
    assert "Cloud SQL" in unchecked_risk("gcp:sql/databaseInstance:DatabaseInstance").reason
    assert "does not know" in unchecked_risk("acme:index/widget:Widget").reason
    assert unchecked_risk("tls:index/privateKey:PrivateKey").fails_closed is False


@pytest.mark.parametrize(("status", "token", "code"), [
    (Status.PASS, "gcp:sql/databaseInstance:DatabaseInstance", 2),
    (Status.FAIL, "gcp:sql/databaseInstance:DatabaseInstance", 1),
    (Status.PASS, "tls:index/privateKey:PrivateKey", 0),  # listed, harmless
    (Status.PASS, None, 0),
])
def test_what_could_not_be_checked_never_hides_a_failure(status: Status, token: str | None,
                                                         code: int) -> None:
    unchecked = [UncheckedResource(f"urn:pulumi:t::p::{token}::r", token, "r",
                                   unchecked_risk(token).reason,
                                   unchecked_risk(token).fails_closed)] if token else []
    report = ControlReport("trustctl gate", "test", [ControlResult("ENC-AT-REST", status)],
                           unchecked=unchecked)
    exit_code, message = gate_exit(report)
    assert exit_code == code
    assert (message is not None) == (token is not None and token.startswith("gcp"))


def test_an_unknown_id_does_not_void_a_pass_that_names_nothing() -> None:
    group = PlannedResource(
        urn="urn:pulumi:t::p::aws:ec2/securityGroup:SecurityGroup::app",
        type="aws:ec2/securityGroup:SecurityGroup", name="app",
        inputs={"vpcId": "(unknown at plan time: data source x .id)"},
        unknowns={"vpcId": "data source x .id"})
    report = evaluate(load_catalog(), "test", translate(Declared(Plan([group]), "test")),
                      [CheckResult("CKV_AWS_24", "port 22", True, "aws_security_group.app")], [],
                      dt.date(2026, 12, 1))
    assert not [f for c in report.controls for f in c.findings if "unknown" in f.message]
