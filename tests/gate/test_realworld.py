"""The gate reads other people's real `pulumi preview --json` / `pulumi stack export` files
as they are, and reports on them by control."""

from __future__ import annotations

import pytest
from gate_support import REALWORLD_PREVIEWS, REALWORLD_STATES, Checked

from trustctl.report.results import Status

pytestmark = [pytest.mark.realworld]


@pytest.mark.parametrize("name", REALWORLD_PREVIEWS + REALWORLD_STATES)
def test_realworld_file_is_fully_checked(checked: dict[str, Checked], name: str) -> None:
    item = checked[f"realworld:{name}"]
    assert item.plan.unchecked == []
    assert item.results, "checkov ran no check on it"
    report = item.report()
    # no Cloudflare edge at all: TLS-MIN must not pass by having nothing to check
    tls = next(c for c in report.controls if c.id == "TLS-MIN")
    assert tls.status == Status.FAIL
    assert any(f.message.startswith("required resource missing") for f in tls.findings)


@pytest.mark.parametrize("name", ["stratify-sample-preview-creates.json",
                                  "stratify-sample-export.json"])
def test_stratify_bucket_without_kms_fails_at_rest_encryption(checked: dict[str, Checked],
                                                               name: str) -> None:
    report = checked[f"realworld:{name}"].report()
    enc = next(c for c in report.controls if c.id == "ENC-AT-REST")
    docs = [f for f in enc.findings if f.resource == "docs"]
    assert enc.status == Status.FAIL and docs
    assert (docs[0].file, docs[0].line) == ("index.ts", 5)


def test_tf_migrate_state_flags_ssh_open_to_the_world(checked: dict[str, Checked]) -> None:
    item = checked["realworld:tf-migrate-dns-to-db-converted-state.json"]
    assert item.outcome("CKV_AWS_24", "public_bastion_sg_this_name_prefix[0]") is False
    # SSH is an admin port, not a database port: PRIVATE-NETWORK fails on it, NO-PUBLIC-DB does not
    report = item.report()
    by_control = {c.id: {(f.check_id, f.resource) for f in c.findings} for c in report.controls}
    assert ("CKV_AWS_24", "public_bastion_sg_this_name_prefix[0]") in by_control["PRIVATE-NETWORK"]
    assert not any(r == "public_bastion_sg_this_name_prefix[0]"
                   for _, r in by_control["NO-PUBLIC-DB"])
    assert "CKV_AWS_24" not in {f.check_id for f in report.advisories}
    assert [r.type for r in item.plan.skipped_inert] == ["null:index/resource:Resource"]
    # references were recovered from ids: the ALB's security groups are connected to it
    assert item.outcome("CKV2_AWS_5", "loadbalancer_sg_this_name_prefix[0]") is True


def test_tf_migrate_state_subnet_tiers_are_inferred_from_its_routes(
        checked: dict[str, Checked]) -> None:
    """A terraform-aws-modules VPC (no trustctl tag): public, private (NAT) and database
    subnets, told apart by their route tables alone."""
    item = checked["realworld:tf-migrate-dns-to-db-converted-state.json"]
    tiers = {item.plan.resources[a].name: role.value for a, role in item.plan.roles.items()
             if item.plan.resources[a].type == "aws:ec2/subnet:Subnet"}
    assert tiers == {"vpc_public[0]": "public", "vpc_public[1]": "public",
                     "vpc_private[0]": "private", "vpc_private[1]": "private",
                     "vpc_database[0]": "private", "vpc_database[1]": "private"}
    # so its database subnet group holds private subnets only
    assert item.outcome("CKV_TRUST_31", "vpc_database[0]") is True
