"""The audit decides roles by the gate's rules (trustctl/roles), over live reads in moto: an
estate without a single trustctl tag passes the backup and network checks the tagged compliant
account passes; a key shared by the backups and customer files fails BACKUP-KEY-SEPARATE naming
both uses, without turning the files into backups; a route that makes every subnet of an
internal VPC public fails PRIVATE-NETWORK at the route table; and the gate, planning the same
estate as a Pulumi program, reaches the same decisions as the audit reading it live."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.audit.conftest import check_by_id, messages
from tests.audit.role_estate import ESTATES, build, role_arn
from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.gate.sources import Declared
from trustctl.gate.translate import translate
from trustctl.plan import plan_program
from trustctl.report.results import Status

PROGRAM = Path(__file__).parent / "programs" / "role-estate"
# what the estates are about: BACKUP-KEY-SEPARATE (3, 4, 5), BACKUP-DAILY-35D (6, 7, 8),
# RPO-RTO (25), the access-log bucket's exemptions (ENC-AT-REST 2, ACCESS-LOGGED 13) and
# PRIVATE-NETWORK (21)
ROLE_CHECKS = ("AUD_AWS_3", "AUD_AWS_4", "AUD_AWS_5", "AUD_AWS_6", "AUD_AWS_7", "AUD_AWS_8",
               "AUD_AWS_25", "AUD_AWS_2", "AUD_AWS_13", "AUD_AWS_21")


@pytest.fixture(scope="module")
def built(aws, account) -> dict[str, dict[str, str]]:
    """Every estate of ESTATES in moto (after the compliant account, in accounts of their own):
    variant -> name -> live id."""
    return {variant: build(aws, estate) for variant, estate in ESTATES.items()}


def _reader(aws, variant: str) -> AwsReader:
    return AwsReader(AwsSettings(region=aws.region, endpoint_url=aws.endpoint_url,
                                 role_arn=role_arn(ESTATES[variant])))


def _audit(aws, variant: str, *check_ids: str) -> dict[str, object]:
    reader = _reader(aws, variant)
    try:
        return {check_id: check_by_id(check_id).run(reader) for check_id in check_ids}
    finally:
        reader.close()


def test_an_untagged_estate_passes_the_checks_the_tagged_account_passes(
        aws, built, run_check):
    tagged = {check_id: run_check(check_id).status for check_id in ROLE_CHECKS}
    untagged = _audit(aws, "untagged", *ROLE_CHECKS)
    assert tagged == dict.fromkeys(ROLE_CHECKS, Status.PASS)
    assert {c: o.status for c, o in untagged.items()} == tagged, {
        c: (messages(o), o.unreadable) for c, o in untagged.items()}
    ids = built["untagged"]
    assert untagged["AUD_AWS_3"].facts == {"backup_keys": [ids["dump-key"]],
                                           "backup_buckets": [ids["dumps"]]}
    assert set(untagged["AUD_AWS_6"].facts) == {ids["dumps"]}  # Object Lock read for it alone
    assert {s: untagged["AUD_AWS_21"].facts["private_subnets"][ids[s]]
            for s in ("subnet-a", "subnet-b")} == dict.fromkeys(("subnet-a", "subnet-b"), (
                f"tier private (inferred: route table {ids['routes']} has no route to an "
                "internet gateway)"))


def test_the_untagged_estates_roles_say_how_they_were_inferred(aws, built):
    ids, reader = built["untagged"], _reader(aws, "untagged")
    try:
        roles = {name: reader.estate_roles()[ids[name]].describe()
                 for name in ("dump-key", "dumps", "dumps-copy", "logs")}
        assert ids["files"] not in reader.estate_roles()
        assert ids["data-key"] not in reader.estate_roles()
    finally:
        reader.close()
    assert roles == {
        "dump-key": "purpose backup (inferred: backup vault nightly encrypts with it)",
        "dumps": "role backup (inferred: backup writer role dump-writer policy dump-writer "
                 "encrypts under the backup key and may write it, never read or delete it)",
        "dumps-copy": f"role backup-replica (inferred: backup bucket {ids['dumps']} replicates "
                      "into it)",
        "logs": f"role access-logs (inferred: server access logs of {ids['dumps']}, "
                f"{ids['dumps-copy']}, {ids['files']} are delivered to it)",
    }


@pytest.mark.parametrize("variant", ["vault-data-key", "files-under-dump-key"])
def test_a_key_shared_by_backups_and_customer_files_fails_key_separation_naming_both(
        aws, built, variant):
    ids = built[variant]
    outcomes = _audit(aws, variant, *ROLE_CHECKS)
    status = {c: o.status for c, o in outcomes.items()}
    assert status["AUD_AWS_5"] == Status.FAIL
    assert {c: s for c, s in status.items() if s != Status.PASS} == {"AUD_AWS_5": Status.FAIL}
    shared = ids["data-key" if variant == "vault-data-key" else "dump-key"]
    assert messages(outcomes["AUD_AWS_5"]) == [
        f"{ids['files']}: encrypted with the backup key {shared} [purpose backup (inferred: "
        "backup vault nightly encrypts with it)]"]
    # the files are no backup: no Object Lock or expiry asked of them
    for check_id in ("AUD_AWS_6", "AUD_AWS_7"):
        assert set(outcomes[check_id].facts) == {ids["dumps"]}


def test_a_route_making_every_subnet_of_an_internal_vpc_public_fails_at_the_route_table(
        aws, built):
    ids = built["route-added"]
    outcome = _audit(aws, "route-added", "AUD_AWS_21")["AUD_AWS_21"]
    assert messages(outcome) == [
        "None: no subnet has trustctl:tier=private (tagged, or inferred: a subnet that gives no "
        "public IPs and whose route table routes to no internet gateway)",
        f"{ids['routes']}: routes to internet gateway {ids['igw']} [tier private (inferred: VPC "
        f"{ids['warehouse']} hosts internal services (endpoint {_endpoint(aws, ids)}, security "
        "group workers) and must keep a private subnet)]"]


def _endpoint(aws, ids: dict[str, str]) -> str:
    reader = _reader(aws, "route-added")
    try:
        [endpoint] = [e["VpcEndpointId"] for e in reader.pages(
            "ec2", "describe_vpc_endpoints", "VpcEndpoints", "the account")
            if e["VpcId"] == ids["warehouse"]]
    finally:
        reader.close()
    return endpoint


def _gate_roles(variant: str) -> dict[str, tuple[str, str, bool]]:
    plan = plan_program(PROGRAM, "test", {"estate": json.dumps(ESTATES[variant])})
    translated = translate(Declared(plan, "program"))
    return {translated.resources[address].name: (role.key, role.value, role.explicit)
            for address, role in translated.roles.items()}


def _audit_roles(aws, variant: str, ids: dict[str, str]) -> dict[str, tuple[str, str, bool]]:
    reader = _reader(aws, variant)
    try:
        decided = reader.estate_roles() | reader.network_roles()
    finally:
        reader.close()
    names = {live: name for name, live in ids.items()}  # not moto's default VPC's
    return {names[live]: (role.key, role.value, role.explicit)
            for live, role in decided.items() if live in names}


@pytest.mark.parametrize("variant", list(ESTATES))
def test_the_gate_and_the_audit_decide_the_same_roles(aws, built, variant):
    """The anti-divergence test: the program planned by the gate and the same estate read live
    by the audit give every key, bucket, route table and subnet the same role, decided the
    same way."""
    gate, audit = _gate_roles(variant), _audit_roles(aws, variant, built[variant])
    assert gate == audit
    assert len(gate) >= 6  # never two empty decisions
