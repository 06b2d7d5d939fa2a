"""The policy pack, driven as Pulumi's engine drives it (a subprocess serving the Analyzer gRPC
protocol), over the resources of `trustctl plan`: Claver's infra, the gate tests' programs and
their one-change breaks. Each break is a mandatory violation of the control the gate fails for
it; waivers, advisories and the pack's configuration change only the enforcement."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import grpc
import pytest
from gate_support import INDEPENDENT, PROGRAM, mutations
from pack_support import OWNER, WAIVED, WAIVER_REASON

from trustctl.catalog import load_catalog
from trustctl.gate.references import UNKNOWN
from trustctl.gate.run import check
from trustctl.gate.sources import KNOWN_AFTER_CREATE, from_program
from trustctl.pack.engine_driver import (
    ADVISORY,
    DISABLED,
    MANDATORY,
    Analyzer,
    Diagnostic,
    from_plan,
    running_pack,
)
from trustctl.pack.policies import gated
from trustctl.pack.violations import ADVISORIES, EXCEPTED, UNDECIDED
from trustctl.paths import REPO_ROOT
from trustctl.plan import plan_program
from trustctl.plan.model import Plan, PlannedResource

GATE_PROGRAMS = Path(__file__).resolve().parents[1] / "gate" / "programs"
PLAN_PROGRAMS = Path(__file__).resolve().parents[1] / "plan" / "programs"


def _first_break_of_each_control(program: Path) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for mutation, control in mutations(program).items():
        if control is not None and mutation != "public-rds":  # public-rds is waived here
            seen.setdefault(control, mutation)
    return sorted((m, c) for c, m in seen.items())


BREAKS = [("compliant", m, c) for m, c in _first_break_of_each_control(PROGRAM)] + [
    ("independent", m, c) for m, c in mutations(INDEPENDENT).items() if c is not None]
PROGRAM_DIRS = {"compliant": PROGRAM, "independent": INDEPENDENT}


def _analyzed(pack: Analyzer, plan: Plan) -> list[Diagnostic]:
    return pack.analyze_stack(from_plan(plan))


def _mandatory(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.level == MANDATORY]


def test_the_engine_reads_one_policy_per_gated_control_and_three_advisory_ones(
        pack: Analyzer) -> None:
    info = pack.info()
    catalog = load_catalog()
    assert info.name == "claver-security-page" and info.supportsConfig
    levels = {p.name: p.enforcementLevel for p in info.policies}
    controls = [c.id for c in gated(catalog)]
    assert {"ENC-AT-REST", "NO-PUBLIC-DB", "TLS-MIN", "WAF"} <= set(controls)
    assert "CHANGE-CONTROL" not in levels and "RESTORE-DRILL" not in levels
    assert levels == {**dict.fromkeys(controls, MANDATORY),
                      **dict.fromkeys((EXCEPTED, ADVISORIES, UNDECIDED), ADVISORY)}
    enc = next(p for p in info.policies if p.name == "ENC-AT-REST")
    promise = next(c.promise for c in catalog if c.id == "ENC-AT-REST")
    assert promise.strip() in enc.description and enc.remediation_steps
    assert enc.framework.name == "SOC 2" and enc.severity != 0


def test_the_gate_tests_compliant_program_has_no_mandatory_violation(pack: Analyzer) -> None:
    plan = plan_program(PROGRAM, "test", {"break": "none"})
    assert _mandatory(_analyzed(pack, plan)) == []


def test_the_independent_program_violates_none_of_the_controls_it_keeps(pack: Analyzer) -> None:
    """It declares no edge (Cloudflare) resources: only the data promises its breaks break."""
    kept = set(mutations(INDEPENDENT).values()) - {None}
    plan = plan_program(INDEPENDENT, "test", {"break": "none"})
    violated = {d.policy for d in _mandatory(_analyzed(pack, plan))}
    assert "TLS-MIN" in violated and not violated & kept


@pytest.mark.slow
@pytest.mark.parametrize(("program", "mutation", "control"), BREAKS,
                         ids=[f"{p}:{m}" for p, m, _ in BREAKS])
def test_a_one_change_break_is_a_mandatory_violation_of_the_control_the_gate_fails(
        pack: Analyzer, program: str, mutation: str, control: str) -> None:
    plan = plan_program(PROGRAM_DIRS[program], "test", {"break": mutation})
    violated = [d for d in _mandatory(_analyzed(pack, plan)) if d.policy == control]
    assert violated, f"{mutation}: no mandatory {control} violation"
    urns = {r.urn for r in plan.resources}
    assert all(d.urn in urns or d.urn == "" for d in violated)
    assert any(d.urn in urns for d in violated) or any(
        "required resource missing" in d.message for d in violated)


@pytest.fixture(scope="module")
def public_rds() -> Plan:
    return plan_program(PROGRAM, "test", {"break": "public-rds"})


def test_an_excepted_finding_is_advisory_with_the_waiver_s_reason_owner_and_expiry(
        pack: Analyzer, public_rds: Plan, waiver_expires: dt.date) -> None:
    diagnostics = _analyzed(pack, public_rds)
    assert [d for d in diagnostics if d.policy == "NO-PUBLIC-DB"] == []
    rds = next(r.urn for r in public_rds.resources if r.name == WAIVED)
    excepted = [d for d in diagnostics if d.policy == EXCEPTED]
    assert excepted and all(d.level == ADVISORY and d.urn == rds for d in excepted)
    assert all(WAIVER_REASON in d.message and OWNER in d.message
               and waiver_expires.isoformat() in d.message for d in excepted)
    assert all(d.message.startswith(next(p.description for p in pack.info().policies
                                         if p.name == EXCEPTED)) for d in excepted)


def test_the_pack_s_config_sets_each_control_s_enforcement(pack: Analyzer) -> None:
    plan = plan_program(PROGRAM, "test", {"break": "sg-postgres-open"})
    resources = from_plan(plan)
    before = pack.analyze_stack(resources)
    assert {d.level for d in before if d.policy == "NO-PUBLIC-DB"} == {MANDATORY}
    try:
        pack.configure({"NO-PUBLIC-DB": DISABLED, ADVISORIES: DISABLED})
        after = pack.analyze_stack(resources)
        assert not [d for d in after if d.policy in ("NO-PUBLIC-DB", ADVISORIES)]
        pack.configure({"NO-PUBLIC-DB": ADVISORY})
        advised = pack.analyze_stack(resources)
        assert {d.level for d in advised if d.policy == "NO-PUBLIC-DB"} == {ADVISORY}
        assert [d.urn for d in advised if d.policy == "NO-PUBLIC-DB"] == [
            d.urn for d in before if d.policy == "NO-PUBLIC-DB"]
    finally:
        pack.configure({})


def test_a_value_unknown_at_plan_time_is_decided_once_the_engine_resolves_it(
        pack: Analyzer) -> None:
    """The security group's CIDR comes from another stack: the gate, planning offline, can only
    say it is unknown; at `pulumi preview` the engine has read that stack, and the pack
    judges the real value."""
    program = PLAN_PROGRAMS / "stack-reference"
    gate = check(from_program(program, "test"))
    [unknown] = [f.message for c in gate.controls if c.id == "PRIVATE-NETWORK"
                 for f in c.findings if f.resource == "app" and f.check_id == "CKV_AWS_24"]
    assert "unknown at plan time (ingress.cidr_blocks from an output of stack" in unknown
    resolved = plan_program(program, "test",
                            stack_outputs={"acme/network/prod": {"vpcId": "vpc-0123",
                                                                 "adminCidr": "0.0.0.0/0"}})
    group = next(r.urn for r in resolved.resources if r.name == "app")
    decided = [d for d in _analyzed(pack, resolved) if d.urn == group]
    [ssh] = [d for d in decided if "CKV_AWS_24" in d.message]
    assert (ssh.policy, ssh.level) == ("PRIVATE-NETWORK", MANDATORY) and "port 22" in ssh.message
    assert not [d for d in decided if "unknown" in d.message or d.policy == UNDECIDED]


def test_a_value_the_engine_does_not_know_yet_is_undecided_never_judged(pack: Analyzer) -> None:
    """At `pulumi preview` a value only creating a resource returns is Pulumi's unknown
    sentinel: the check resting on it is advisory and says why; `pulumi up` decides it (above)."""
    plan = plan_program(PLAN_PROGRAMS / "stack-reference", "test", stack_outputs={
        "acme/network/prod": {"vpcId": "vpc-0123", "adminCidr": UNKNOWN}})
    group = next(r.urn for r in plan.resources if r.name == "app")
    [ssh] = [d for d in _analyzed(pack, plan) if d.urn == group and "CKV_AWS_24" in d.message]
    assert (ssh.policy, ssh.level) == (UNDECIDED, ADVISORY)
    assert ssh.message.splitlines()[1].startswith("PRIVATE-NETWORK: ")
    assert f"unknown at plan time (ingress.cidr_blocks from {KNOWN_AFTER_CREATE})" in ssh.message


def test_at_the_update_what_could_not_be_decided_is_mandatory(tmp_path: Path) -> None:
    """Nothing is left to resolve once `pulumi up` creates the resources: a check that still
    cannot decide fails the run (the gate exits 2 for it), where a preview only advises."""
    plan = plan_program(PLAN_PROGRAMS / "stack-reference", "test", stack_outputs={
        "acme/network/prod": {"vpcId": "vpc-0123", "adminCidr": UNKNOWN}})
    group = next(r.urn for r in plan.resources if r.name == "app")
    with running_pack("test", plan.project, dry_run=False,
                      env={"TRUSTCTL_EVIDENCE_DIR": str(tmp_path)}) as pack:
        levels = {p.name: p.enforcementLevel for p in pack.info().policies}
        diagnostics = pack.analyze_stack(from_plan(plan))
    assert (levels[UNDECIDED], levels[EXCEPTED], levels[ADVISORIES]) == (MANDATORY, ADVISORY,
                                                                         ADVISORY)
    [ssh] = [d for d in diagnostics if d.urn == group and "CKV_AWS_24" in d.message]
    assert (ssh.policy, ssh.level) == (UNDECIDED, MANDATORY)


def test_claver_s_infra_has_no_mandatory_violation_and_leaves_the_gate_s_record(
        tmp_path: Path) -> None:
    plan = plan_program(REPO_ROOT, "prod")
    with running_pack("prod", "trustctl", env={"TRUSTCTL_EVIDENCE_DIR": str(tmp_path)}) as pack:
        diagnostics = pack.analyze_stack(from_plan(plan))
    assert _mandatory(diagnostics) == []
    assert all(d.policy in (ADVISORIES, EXCEPTED) for d in diagnostics)
    [record] = [json.loads(p.read_text()) for p in tmp_path.glob("gate-*.json")]
    assert record["kind"] == "gate"
    assert record["targets"] == {"origin": "policy-pack", "stack": "prod", "project": "trustctl",
                                 "operation": "preview"}
    statuses = {c["id"]: c["status"] for c in record["controls"]}
    assert statuses["ENC-AT-REST"] == "pass" and statuses["NO-PUBLIC-DB"] == "pass"
    assert record["facts"]["resources_checked"] > 100


def test_a_stack_that_leaves_controls_to_another_is_not_failed_for_them(tmp_path: Path) -> None:
    """The stack's `trustctl:controls` config reaches the pack in PULUMI_CONFIG, as the engine
    passes it; an `up` is recorded as the operation `update`."""
    program = GATE_PROGRAMS / "estate-aws"
    plan = plan_program(program, "split")
    ownership = {"owns": ["ENC-AT-REST"],
                 "ownedBy": {"acme/edge/prod": ["TLS-MIN", "HSTS", "CT-MONITOR", "WAF",
                                                "AUTH-RATE-LIMIT", "CSP-SRI"]}}
    with running_pack("split", plan.project, dry_run=False,
                      config={"trustctl:controls": json.dumps(ownership)},
                      env={"TRUSTCTL_EVIDENCE_DIR": str(tmp_path)}) as pack:
        diagnostics = pack.analyze_stack(from_plan(plan))
    edge = set(ownership["ownedBy"]["acme/edge/prod"])
    assert not [d for d in diagnostics if d.policy in edge]
    [record] = [json.loads(p.read_text()) for p in tmp_path.glob("gate-*.json")]
    assert record["targets"]["operation"] == "update"
    owned = {c["id"]: c.get("owned_by") for c in record["controls"] if c["id"] in edge}
    assert set(owned.values()) == {"acme/edge/prod"}


def test_a_stack_config_the_gate_cannot_read_fails_the_run_saying_why(tmp_path: Path) -> None:
    """Bad input is no verdict: the engine gets an error naming it (and fails the run)."""
    plan = Plan([PlannedResource(urn="urn:pulumi:prod::p::aws:kms/key:Key::data",
                                 type="aws:kms/key:Key", name="data")], project="p", stack="prod")
    with running_pack("prod", "p", config={"trustctl:controls": "[owns TLS-MIN"},
                      env={"TRUSTCTL_EVIDENCE_DIR": str(tmp_path)}) as pack, \
            pytest.raises(grpc.RpcError) as raised:
        pack.analyze_stack(from_plan(plan))
    assert "trustctl:controls is not a mapping" in str(raised.value.details())
    assert list(tmp_path.iterdir()) == []
