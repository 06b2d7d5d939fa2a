"""One real checkov run over one plan holding every policy test resource (startup is ~6 s)."""

from __future__ import annotations

import json

import pytest
from policy_checkov_run import CHECKOV, Scan, run_checkov
from policy_plan_builder import plan_document
from policy_scenario import Scenario
from policy_scenarios import all_scenarios


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return all_scenarios()


@pytest.fixture(scope="session")
def scan(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Scan:
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}: run scripts/bootstrap")
    plan_path = tmp_path_factory.mktemp("policies") / "plan.json"
    plan_path.write_text(json.dumps(plan_document(scenario.resources), indent=1))
    return run_checkov(plan_path)
