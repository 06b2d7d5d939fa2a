"""The gate judges by the catalog's figures: the program that keeps the page's 35 days fails
BACKUP-DAILY-35D once a copy of the catalog promises 36 (checkov's project checks read it too)."""

from __future__ import annotations

import pytest
from catalog_copy import CHANGED_RETENTION_DAYS, longer_retention
from gate_support import PROGRAM, TODAY

from trustctl.gate.run import check
from trustctl.gate.sources import Declared
from trustctl.paths import CATALOG_ENV
from trustctl.plan import plan_program
from trustctl.report.results import Status


@pytest.mark.slow
def test_the_gate_follows_a_changed_retention(monkeypatch, tmp_path) -> None:
    declared = Declared(plan_program(PROGRAM, "test", {"break": "none"}), "compliant")
    before = {c.id: c for c in check(declared, today=TODAY).controls}["BACKUP-DAILY-35D"]
    assert before.status == Status.PASS
    monkeypatch.setenv(CATALOG_ENV, str(longer_retention(tmp_path)))
    after = {c.id: c for c in check(declared, today=TODAY).controls}["BACKUP-DAILY-35D"]
    assert after.status == Status.FAIL
    failed = {f.check_id for f in after.findings}
    assert {"CKV_TRUST_12", "CKV_TRUST_13", "CKV_TRUST_15", "CKV_TRUST_16"} <= failed
    assert any(str(CHANGED_RETENTION_DAYS) in f.message for f in after.findings)
