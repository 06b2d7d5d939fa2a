"""The secrets canary for the policy pack (not a trustctl command: Pulumi's engine starts it).

Secrets reach the pack inside the resources (the engine sends them marked secret; the policy
SDK hands them over unwrapped): a database password, a parameter's value, an output the
program made secret. None may show in a violation, in what the pack prints, in its record,
or on the command line of any process it starts (checkov).
"""

from __future__ import annotations

from pathlib import Path

from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from canary.canary import MARK, ProcessWatch, secret
from trustctl.pack.engine_driver import MANDATORY, from_plan, running_pack
from trustctl.plan.model import Plan, PlannedResource

STACK, PROJECT = "canary", "leaky"


def _secret(name: str) -> dict[str, str]:
    return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": secret(name)}


def _plan() -> Plan:
    prefix = f"urn:pulumi:{STACK}::{PROJECT}::"
    database = PlannedResource(
        urn=f"{prefix}aws:rds/instance:Instance::reporting", type="aws:rds/instance:Instance",
        name="reporting", inputs={"engine": "postgres", "instanceClass": "db.t4g.micro",
                                  "allocatedStorage": 20, "username": "reporting",
                                  "password": _secret("rds-password"),
                                  "publiclyAccessible": True, "storageEncrypted": False})
    parameter = PlannedResource(
        urn=f"{prefix}aws:ssm/parameter:Parameter::api-token", type="aws:ssm/parameter:Parameter",
        name="api-token", inputs={"name": "/app/api-token", "type": "String",
                                  "value": _secret("api-token")})
    return Plan([database, parameter], project=PROJECT, stack=STACK)


def test_no_secret_escapes_the_pack(tmp_path: Path) -> None:
    with ProcessWatch() as watch, running_pack(
            STACK, PROJECT, config={"leaky:dbPassword": secret("config")},
            env={"TRUSTCTL_EVIDENCE_DIR": str(tmp_path)}) as pack:
        diagnostics = pack.analyze_stack(from_plan(_plan()))
    assert any(d.policy == "NO-PUBLIC-DB" and d.level == MANDATORY for d in diagnostics)
    shown = [d.message for d in diagnostics] + [p.read_text() for p in tmp_path.iterdir()]
    assert len(shown) > len(diagnostics), "the pack wrote no record"
    assert not [text for text in shown if MARK in text]
    assert watch.lines and not [line for line in watch.lines if MARK in line]
