"""The audit judges by the catalog's figures: the same account that keeps the page's 35 days
fails once a copy of the catalog promises 36 (nothing else changed)."""

from __future__ import annotations

from catalog_copy import CHANGED_RETENTION_DAYS, longer_retention

from tests.audit.conftest import messages
from trustctl.paths import CATALOG_ENV
from trustctl.report.results import Status

RETENTION_CHECKS = ("AUD_AWS_6", "AUD_AWS_7", "AUD_AWS_8", "AUD_AWS_9")


def test_the_audit_follows_a_changed_retention(run_check, monkeypatch, tmp_path) -> None:
    assert {c: run_check(c).status for c in RETENTION_CHECKS} == dict.fromkeys(
        RETENTION_CHECKS, Status.PASS)
    monkeypatch.setenv(CATALOG_ENV, str(longer_retention(tmp_path)))
    outcomes = {c: run_check(c) for c in RETENTION_CHECKS}
    assert {c: o.status for c, o in outcomes.items()} == dict.fromkeys(
        RETENTION_CHECKS, Status.FAIL)
    assert all(str(CHANGED_RETENTION_DAYS) in " ".join(messages(o)) for o in outcomes.values())
