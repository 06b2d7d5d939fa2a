"""The production plan of the Pulumi program in infra/, planned offline once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustctl.plan import Plan, plan_program

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def prod_plan() -> Plan:
    """Every resource `pulumi up` would declare for Claver production (Pulumi.prod.yaml)."""
    return plan_program(REPO_ROOT, "prod")
