"""The translation is right when checkov's OWN built-in checks judge it right: known-bad
resources fail them, known-good pass them, from both a preview and a stack export."""

from __future__ import annotations

import pytest
from gate_support import Checked

from trustctl.report.results import Status

SOURCES = ["fixture:preview", "fixture:state"]

# (check, resource, passes): built-in checks unless CKV_TRUST_*
EXPECTED = [
    ("CKV_AWS_7", "good-key", True),  # KMS rotation
    ("CKV_AWS_7", "stale-key", False),
    ("CKV_AWS_145", "media", True),  # S3 default encryption with KMS: a connection check
    ("CKV_AWS_145", "exports", False),
    ("CKV_AWS_17", "orders-db", True),  # RDS not public
    ("CKV_AWS_17", "legacy-db", False),
    ("CKV_AWS_16", "orders-db", True),  # RDS encrypted
    ("CKV_AWS_16", "legacy-db", False),
    ("CKV_AWS_277", "db-sg", True),  # no ingress from 0.0.0.0/0 to all ports
    ("CKV_AWS_277", "open-db-sg", False),
    ("CKV_TRUST_25", "db-sg", True),  # no database port open to the internet
    ("CKV_TRUST_25", "open-db-sg-postgres", False),
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("check_id", "resource", "passes"), EXPECTED)
def test_builtin_check_outcome(checked: dict[str, Checked], source: str, check_id: str,
                               resource: str, passes: bool) -> None:
    assert checked[source].outcome(check_id, resource) is passes


@pytest.mark.parametrize("source", SOURCES)
def test_connection_checks_follow_references(checked: dict[str, Checked], source: str) -> None:
    """CKV2_AWS_5 passes only for a security group that something (here the RDS) uses."""
    assert checked[source].outcome("CKV2_AWS_5", "db-sg") is True


@pytest.mark.parametrize("source", SOURCES)
def test_fixture_fails_the_controls_its_bad_resources_break(checked: dict[str, Checked],
                                                            source: str) -> None:
    report = checked[source].report()
    status = {c.id: c.status for c in report.controls}
    assert status["ENC-AT-REST"] == status["NO-PUBLIC-DB"] == Status.FAIL
    no_public_db = next(c for c in report.controls if c.id == "NO-PUBLIC-DB")
    assert {(f.check_id, f.resource) for f in no_public_db.findings} >= {
        ("CKV_AWS_17", "legacy-db"), ("CKV_TRUST_25", "open-db-sg-postgres")}
    legacy = next(f for f in no_public_db.findings if f.resource == "legacy-db")
    # declared at infra/data_stores.py:80 inside the DataStores component called at __main__.py:8
    assert (legacy.file, legacy.line) == ("__main__.py", 8)
    assert [(r.file, r.line) for r in legacy.related] == [("infra/data_stores.py", 80)]
    assert legacy.urn == ("urn:pulumi:dev::shop::shop:data:DataStores"
                          "$aws:rds/instance:Instance::legacy-db")
