"""Roles decided from the resource graph (trustctl/roles/rules.py over trustctl/gate/roles.py's
graph of the plan): a program that never uses a trustctl tag is judged by what it declares, the
same way from all three gate inputs; a trustctl tag still overrides the graph, and findings say
which way each role was decided.

Real planner, real translation, real checkov (the session's shared run, gate_support.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from exported import write_preview, write_state
from gate_support import INDEPENDENT, Checked, mutations

from trustctl.catalog import load_catalog
from trustctl.gate.references import UNKNOWN
from trustctl.gate.sources import Declared, from_preview, from_state
from trustctl.gate.translate import translate
from trustctl.plan import plan_program
from trustctl.report.results import Status, exit_code

# what the independent program declares, and so must pass (the edge, the audit trail and a
# recovery region are not its business)
ITS_CONTROLS = ("ENC-AT-REST", "BACKUP-KEY-SEPARATE", "BACKUP-DAILY-35D", "RPO-RTO",
                "NO-PUBLIC-DB", "PRIVATE-NETWORK", "STAFF-ACCESS")
BREAKS = [m for m, control in mutations(INDEPENDENT).items() if control]


def _status(checked: dict[str, Checked], mutation: str) -> dict[str, Status]:
    return {c.id: c.status for c in checked[f"independent:{mutation}"].report().controls}


def test_independent_program_uses_no_trustctl_tag() -> None:
    plan = plan_program(INDEPENDENT, "test", {"break": "none"})
    tags = {k for r in plan.resources for k in (r.inputs.get("tags") or {})}
    assert tags == {"purpose"}


def test_independent_program_keeps_its_promises(checked: dict[str, Checked]) -> None:
    status = _status(checked, "none")
    assert {c: status[c] for c in ITS_CONTROLS} == dict.fromkeys(ITS_CONTROLS, Status.PASS)
    inferred = {checked["independent:none"].plan.resources[a].name: role.describe()
                for a, role in checked["independent:none"].plan.roles.items()}
    assert inferred == {
        "dump-key": "purpose backup (inferred: backup vault backups encrypts with it)",
        "dump-key-copy": "purpose backup (inferred: backup vault backups-copy encrypts with it)",
        "dumps": "role backup (inferred: backup writer dump-writer encrypts under the backup key "
                 "and may write it, never read or delete it)",
        "dumps-copy": "role backup-replica (inferred: backup bucket dumps replicates into it)",
        "access-logs": "role access-logs (inferred: server access logs of uploads-logging are "
                       "delivered to it)",
        "warehouse-routes": "tier private (inferred: no route to an internet gateway)",
        **dict.fromkeys(("warehouse-eu-west-1a", "warehouse-eu-west-1b"), (
            "tier private (inferred: route table warehouse-routes has no route to an "
            "internet gateway)")),
    }


def test_each_break_is_a_finding_with_how_its_role_was_decided_in_the_message(
        checked: dict[str, Checked]) -> None:
    assert set(BREAKS) == set(BREAK_FINDINGS)


# mutation -> (check that catches it, resource it names, what the finding's message says)
BREAK_FINDINGS = {
    "backup-key-removed": ("CKV_TRUST_11", "data-key",
                           "[data-key: purpose backup (inferred: backup vault backups encrypts "
                           "with it)]"),
    "uploads-under-dump-key": ("CKV_TRUST_10", "uploads-sse",
                               "dump-key: purpose backup (inferred: backup vault backups "
                               "encrypts with it)"),
    "dumps-unlocked": ("CKV_TRUST_15", "dumps",
                       "[dumps: role backup (inferred: backup writer dump-writer encrypts under "
                       "the backup key and may write it, never read or delete it)]"),
    "dumps-tagged-data": ("CKV_TRUST_10", "dumps-sse", "dumps: role data (tagged trustctl:role)"),
    "table-no-pitr": ("CKV_TRUST_17", "orders", "point_in_time_recovery is not enabled"),
    "internet-route": ("CKV_TRUST_31", "warehouse-subnets",
                       "warehouse-eu-west-1a: tier public (inferred: route table "
                       "warehouse-routes routes to an internet gateway)"),
    "route-added": ("CKV_TRUST_23", "warehouse-internet",
                    "warehouse-routes: tier private (inferred: VPC warehouse-vpc hosts internal "
                    "services (endpoint warehouse-s3, subnet group warehouse-subnets) and must "
                    "keep a private subnet)"),
    "subnet-public-ip": ("CKV_TRUST_31", "warehouse-subnets",
                         "warehouse-eu-west-1a: tier public (inferred: map_public_ip_on_launch "
                         "gives its instances public IPs); warehouse-eu-west-1b: tier private"),
    "subnet-tagged-private": ("CKV_TRUST_30", "warehouse-eu-west-1a-routes",
                              "warehouse-routes: tier public (inferred: it routes to internet "
                              "gateway warehouse-igw); warehouse-eu-west-1a: tier private "
                              "(tagged trustctl:tier)"),
    "instance-root-unencrypted": ("CKV_TRUST_45", "worker",
                                  "root_block_device encrypted is not true"),
    "queue-unencrypted": ("CKV_AWS_27", "jobs", "Ensure all data stored in the SQS queue"),
    "no-copy-vault": ("CKV_TRUST_44", "nightly-plan", "no rule copies its recovery points"),
    "copy-sse-s3": ("CKV_TRUST_43", "dumps-copy-sse",
                    "dumps-copy: role backup-replica (inferred: backup bucket dumps replicates "
                    "into it)"),
}


@pytest.mark.parametrize("mutation", BREAKS)
def test_break_fails_its_control_alone_among_its_controls(checked: dict[str, Checked],
                                                          mutation: str) -> None:
    control_id = mutations(INDEPENDENT)[mutation]
    report = checked[f"independent:{mutation}"].report()
    status = {c.id: c.status for c in report.controls}
    assert status[control_id] == Status.FAIL
    assert exit_code(report.controls) == 1
    check_id, resource, says = BREAK_FINDINGS[mutation]
    control = next(c for c in report.controls if c.id == control_id)
    found = [f for f in control.findings if (f.check_id, f.resource) == (check_id, resource)]
    assert found and says in found[0].message, [f.message for f in control.findings]
    assert found[0].file == "__main__.py" and found[0].line


@pytest.mark.parametrize("mutation", ["backup-key-removed", "uploads-under-dump-key"])
def test_a_key_shared_by_backups_and_customer_data_fails_key_separation_only(
        checked: dict[str, Checked], mutation: str) -> None:
    """Sharing the key never makes customer files a backup bucket (no Object Lock asked of
    them): the key's backup use (the vault) and its data use (uploads) are both named."""
    status = _status(checked, mutation)
    assert status["BACKUP-KEY-SEPARATE"] == Status.FAIL
    assert (status["BACKUP-DAILY-35D"], status["ENC-AT-REST"], status["NO-PUBLIC-DB"]) == (
        Status.PASS, Status.PASS, Status.PASS)
    roles = {checked[f"independent:{mutation}"].plan.resources[a].name: r.value
             for a, r in checked[f"independent:{mutation}"].plan.roles.items()}
    assert "uploads" not in roles and roles["dumps"] == "backup"
    control = next(c for c in checked[f"independent:{mutation}"].report().controls
                   if c.id == "BACKUP-KEY-SEPARATE")
    [at_uploads] = [f for f in control.findings if f.resource == "uploads-sse"]
    assert "inferred: backup vault backups encrypts with it" in at_uploads.message


@pytest.mark.parametrize(("mutation", "check_id", "resource"), [
    ("route-added", "CKV_TRUST_23", "warehouse-internet"),
    ("internet-route", "CKV_TRUST_22", "warehouse-routes"),
])
def test_a_route_that_makes_every_subnet_of_an_internal_vpc_public_fails_private_network(
        checked: dict[str, Checked], mutation: str, check_id: str, resource: str) -> None:
    """The subnets are public now (their database too), and the route is the finding."""
    item = checked[f"independent:{mutation}"]
    status = _status(checked, mutation)
    assert (status["PRIVATE-NETWORK"], status["NO-PUBLIC-DB"]) == (Status.FAIL, Status.FAIL)
    control = next(c for c in item.report().controls if c.id == "PRIVATE-NETWORK")
    [finding] = [f for f in control.findings if (f.check_id, f.resource) == (check_id, resource)]
    source = next(r.source for r in item.plan.resources.values() if r.name == resource)
    assert (finding.file, finding.line) == ("__main__.py", source.line)
    assert checked["independent:none"].outcome("CKV_TRUST_22", "warehouse-routes") is True


def test_database_retention_is_a_backup_finding_not_a_network_one(
        checked: dict[str, Checked]) -> None:
    status = _status(checked, "table-no-pitr")
    assert (status["BACKUP-DAILY-35D"], status["NO-PUBLIC-DB"]) == (Status.FAIL, Status.PASS)
    assert checked["independent:none"].outcome("CKV_TRUST_17", "orders") is True


def test_private_redshift_passes_no_public_db_behind_no_internet_gateway(
        checked: dict[str, Checked]) -> None:
    for name, check in (("warehouse-subnets", "CKV_TRUST_31"), ("warehouse", "CKV_TRUST_24"),
                        ("warehouse", "CKV_TRUST_32"), ("warehouse", "CKV_AWS_87")):
        assert checked["independent:none"].outcome(check, name) is True, (check, name)
    assert checked["independent:internet-route"].outcome("CKV_TRUST_31",
                                                         "warehouse-subnets") is False


@pytest.mark.parametrize(("check_id", "name"), [("CKV_TRUST_45", "worker"),
                                                ("CKV_AWS_27", "jobs")])
def test_encryption_of_other_data_stores_is_judged_both_ways(
        checked: dict[str, Checked], check_id: str, name: str) -> None:
    assert checked["independent:none"].outcome(check_id, name) is True
    broken = "instance-root-unencrypted" if name == "worker" else "queue-unencrypted"
    assert checked[f"independent:{broken}"].outcome(check_id, name) is False


@pytest.mark.parametrize("mutation", ["none", "internet-route", "backup-key-removed",
                                      "dumps-tagged-data", "uploads-under-dump-key"])
def test_roles_are_decided_alike_from_every_input(tmp_path: Path, mutation: str) -> None:
    plan = plan_program(INDEPENDENT, "test", {"break": mutation})
    program = translate(Declared(plan, "program")).roles
    preview = translate(from_preview(write_preview(plan, tmp_path / "preview.json"))).roles
    state = translate(from_state(write_state(plan, tmp_path / "state.json"))).roles
    assert preview == program
    assert state == program
    assert len(program) >= 5


def test_the_gate_runs_the_at_rest_check_of_every_store_declared(
        checked: dict[str, Checked]) -> None:
    """The gate's own checkov run (its arguments, its check selection) judges each store."""
    item = checked["independent:none"]
    at_rest = set(next(c for c in load_catalog() if c.id == "ENC-AT-REST").verification.static)
    judged = {(r.check_id, item.plan.resources[r.address].name) for r in item.results
              if r.check_id in at_rest}
    assert {("CKV_AWS_158", "flow-logs"), ("CKV_AWS_119", "orders"), ("CKV_AWS_64", "warehouse"),
            ("CKV_TRUST_45", "worker"), ("CKV_AWS_27", "jobs"), ("CKV_TRUST_7", "dumps")} <= judged


def test_a_backup_keys_replica_is_a_backup_key_without_a_vault(
        checked: dict[str, Checked]) -> None:
    item = checked["independent:no-copy-vault"]
    roles = {item.plan.resources[a].name: r.describe() for a, r in item.plan.roles.items()}
    assert roles["dump-key-copy"] == "purpose backup (inferred: the replica of backup key dump-key)"
    assert item.outcome("CKV_TRUST_43", "dumps-copy-sse") is True


def test_a_route_to_a_gateway_unknown_until_apply_leaves_the_tier_undecided(
        tmp_path: Path) -> None:
    """Undecided, the subnets carry no tier, so the database subnet group fails: closed."""
    plan = plan_program(INDEPENDENT, "test", {"break": "internet-route"})
    plan.resources = [r for r in plan.resources if r.name != "warehouse-igw"]
    table = next(r for r in plan.resources if r.name == "warehouse-routes")
    table.inputs["routes"][0]["gatewayId"] = UNKNOWN  # e.g. another stack's gateway
    roles = translate(from_preview(write_preview(plan, tmp_path / "preview.json"))).roles
    undecided = {"aws_route_table.warehouse-routes", "aws_subnet.warehouse-eu-west-1a",
                 "aws_subnet.warehouse-eu-west-1b"}
    assert undecided.isdisjoint(roles)
    assert roles["aws_kms_key.dump-key"].value == "backup"
