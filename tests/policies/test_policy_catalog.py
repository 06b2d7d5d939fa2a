"""The catalog, the check files and the test plan agree: every static id is real and proven."""

from __future__ import annotations

from collections import Counter

import pytest
from policy_check_sources import check_sources, names_a_control
from policy_checkov_run import Scan
from policy_scenario import FAILED, NOT_APPLICABLE, PASSED, Scenario

from trustctl.catalog import load_catalog

pytestmark = pytest.mark.slow

CATALOG = load_catalog()
# plan checks only: a control judged on the repository's .github (CHANGE-CONTROL) has its checks
# in policies/checks/repository, tested against workflow files in tests/gate/test_change_control.py
STATIC = {c.id: set(c.verification.static) for c in CATALOG if not c.verification.repository}
OWN_CHECK = {source.ids[0]: source for source in check_sources() if len(source.ids) == 1}


def test_every_check_file_holds_one_check_named_by_no_control() -> None:
    sources = check_sources()
    assert [s.path.name for s in sources if len(s.ids) != 1] == []
    ids = Counter(s.ids[0] for s in sources)
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(ids) >= 29
    # the catalog is the one map: no check file says which control it guards
    assert [s.path.name for s in sources if names_a_control(s.path)] == []


@pytest.mark.parametrize("check_id", sorted(OWN_CHECK))
def test_own_check_is_listed_under_a_control(check_id: str) -> None:
    assert OWN_CHECK[check_id].controls


def test_catalog_lists_no_unknown_own_check() -> None:
    named = {i for ids in STATIC.values() for i in ids}
    named |= {i for c in CATALOG for r in c.requires for i in r.checked_by}
    assert {i for i in named if i.startswith("CKV_TRUST_")} - set(OWN_CHECK) == set()



# Checks that forbid resource types outright: nothing they look at can pass.
FORBIDDING = {"CKV_TRUST_18"}


@pytest.mark.parametrize("check_id", sorted(OWN_CHECK))
def test_own_check_is_tested_both_ways(scenario: Scenario, check_id: str) -> None:
    outcomes = {e.outcome for e in scenario.expectations if e.check_id == check_id}
    wanted = {FAILED, NOT_APPLICABLE} if check_id in FORBIDDING else {PASSED, FAILED}
    assert wanted <= outcomes


# checkov's own; the gate's own checks (`trustctl/...`) are tested where they are computed
# (tests/gate/test_grant_targets.py)
BUILT_INS = sorted({i for ids in STATIC.values() for i in ids
                    if not i.startswith(("CKV_TRUST_", "trustctl/"))})


@pytest.mark.parametrize("check_id", BUILT_INS)
def test_listed_built_in_fires_on_plan_json(scenario: Scenario, scan: Scan, check_id: str) -> None:
    failing = [
        e.address for e in scenario.expectations if e.check_id == check_id and e.outcome == FAILED
    ]
    assert failing, f"no test resource is expected to fail {check_id}"
    assert all(FAILED in scan.outcomes(check_id, address) for address in failing)


@pytest.mark.parametrize("check_id", sorted(OWN_CHECK))
def test_report_names_the_control_and_severity(scan: Scan, check_id: str) -> None:
    records = [r for (cid, _), rs in scan.records.items() if cid == check_id for r in rs]
    assert records
    if OWN_CHECK[check_id].path.suffix == ".py":  # a YAML check's guideline is static text
        controls = ", ".join(OWN_CHECK[check_id].controls)
        assert all(r["guideline"].startswith(f"{controls}: ") for r in records)
    assert {r["severity"] for r in records} <= {"CRITICAL", "HIGH", "MEDIUM", "LOW"}


def test_checkov_ran_offline_and_loaded_every_check(scan: Scan) -> None:
    assert "prismacloud" not in scan.stderr.lower()
    assert "Cannot load external check" not in scan.stderr
    assert set(OWN_CHECK) <= scan.check_ids(PASSED) | scan.check_ids(FAILED)
