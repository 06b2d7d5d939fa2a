"""Every project check, and every built-in the catalog relies on, judged by the real checkov."""

from __future__ import annotations

import pytest
from policy_checkov_run import Scan
from policy_scenario import Expectation
from policy_scenarios import all_scenarios

pytestmark = pytest.mark.slow

EXPECTATIONS = all_scenarios().expectations


@pytest.mark.parametrize("expected", EXPECTATIONS, ids=str)
def test_checkov_judges_resource_as_expected(scan: Scan, expected: Expectation) -> None:
    assert scan.outcomes(expected.check_id, expected.address) == expected.outcomes
